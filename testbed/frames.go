package testbed

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cnisim/cnisim/calibration"
)

// Two benchmarks measure what an offload costs per frame on this kernel,
// each the Go port of a script that is the source of a built-in default:
//
//   - GRO (calibration/gro/gro-frame.sh, network.DefaultGROFrameCycles):
//     MTU-sized TCP frames cross a veth pair whose sender has TSO and GSO
//     off and whose receiver has GRO on, which gives the veth a NAPI
//     (veth_gro_requested, Linux 5.13+), so every frame goes through
//     napi_gro_receive and is merged. The sender and the NAPI share one
//     CPU (veth_xmit schedules the NAPI where it runs); perf samples that
//     CPU, and the receiving veth's rx_packets count the frames of the
//     same window. A sample counts by its leaf symbol (self time).
//   - GSO (calibration/gso/gso-segment.sh, network.DefaultGSOSegmentCycles):
//     the sender's veth has TSO off and GSO on, so TCP builds
//     super-packets and the device layer cuts them into MTU segments in
//     software (validate_xmit_skb -> __skb_gso_segment) before veth_xmit,
//     as for a NIC without the offload the packets need. The sender and
//     the softirqs share one CPU, which perf samples, and the reader runs
//     on the other; the sending veth's tx_packets count the segments. (The
//     script runs the reader on the sender's CPU too, where the kernel
//     falls into one of two regimes, sender- or receiver-heavy, and this
//     stream and iperf3 fall into different ones: 691-1210 cycles per
//     segment against 168-615 on this VM. With the reader on its own CPU
//     the two agree within about 20%: testbed/testdata/gso-run1.) A
//     sample counts when __skb_gso_segment is anywhere on its call chain:
//     the whole segmentation (skb_segment, the protocols' gso_segment
//     callbacks, the segments' skbs allocated and their headers copied).
//
// With a tunnel the stream crosses it over the veth (GRO parses its
// headers too; GSO cuts the encapsulated super-packets, VXLAN's through
// skb_udp_tunnel_segment); the tunnel's share is the paired difference
// from the plain run of the same rep.

// FrameBench is one of the two benchmarks: its files, its unit and how a
// sample is attributed.
type FrameBench struct {
	Name   string       // "gro" or "gso": the command (cnisim testbed NAME) and the run's kind
	File   string       // the run's measurement file in its directory
	Unit   string       // what the counter counts: "frame" (merged by GRO) or "segment" (cut by GSO)
	Table  string       // the layer's profile table: gro_frame or gso_segment
	Groups []FrameGroup // the shares of the cost
	// Stack: a sample counts for the first group with a symbol anywhere
	// on its call chain (GSO calls into the protocols, the allocator and
	// memcpy, so its leaves are scattered); otherwise for the group of its
	// leaf symbol (self time).
	Stack bool
}

// GROBench and GSOBench are the two benchmarks.
var (
	GROBench = &FrameBench{Name: "gro", File: "gro.json", Unit: "frame", Table: "gro_frame", Groups: GROGroups}
	GSOBench = &FrameBench{Name: "gso", File: "gso.json", Unit: "segment", Table: "gso_segment", Groups: GSOGroups, Stack: true}
)

// entries is the profile's table of b's entries.
func (b *FrameBench) entries(p *calibration.Profile) *[]calibration.FrameCost {
	if b == GSOBench {
		return &p.GSOSegments
	}
	return &p.GROFrames
}

// Entries are the profile's entries of b's table (a layer FrameLayer made).
func (b *FrameBench) Entries(p *calibration.Profile) []calibration.FrameCost { return *b.entries(p) }

// FrameGroup is one share of a frame's cost: the kernel functions whose
// samples make it up.
type FrameGroup struct {
	Key   string   // in the run file's groups
	Label string   // in the layer's source
	Syms  []string // symbols, as perf prints them
}

// GROGroups are the per-frame functions, exactly gro-frame.sh's awk
// lists: what veth's ring costs (a NIC's driver costs more), GRO's
// protocol callbacks and merge, and freeing the merged frames' heads.
var GROGroups = []FrameGroup{
	{Key: "ring", Label: "veth ring consumer", Syms: []string{"veth_xdp_rcv", "veth_xdp_rcv_skb", "veth_poll", "eth_type_trans"}},
	{Key: "gro", Label: "GRO callbacks and merge", Syms: []string{"napi_gro_receive", "gro_receive_skb", "dev_gro_receive",
		"inet_gro_receive", "tcp4_gro_receive", "tcp_gro_receive", "skb_gro_receive", "tcp_gro_pull_header", "gro_pull_from_frag0",
		"gro_complete.constprop.0", "udp4_gro_receive", "udp_gro_receive", "vxlan_gro_receive", "eth_gro_receive", "gre_gro_receive", "ipip_gro_receive"}},
	{Key: "freed", Label: "merged heads freed", Syms: []string{"__napi_kfree_skb", "napi_skb_cache_put", "kmem_cache_free_bulk", "build_detached_freelist"}},
}

// GSOGroups is the segmentation, exactly gso-segment.sh's test: a sample
// with either entry point on its stack.
var GSOGroups = []FrameGroup{
	{Key: "gso", Label: "software GSO", Syms: []string{"__skb_gso_segment", "skb_gso_segment"}},
}

// FrameTunnels are the tunnels a run may cross besides "none"; gre and
// ipip need kernel modules this VM's kernel lacks (the run then fails and
// says so, as the script does).
var FrameTunnels = []string{"none", "vxlan", "gre", "ipip"}

// groupOf maps a symbol to its group's key.
func (b *FrameBench) groupOf(sym string) (string, bool) {
	for _, g := range b.Groups {
		if slices.Contains(g.Syms, sym) {
			return g.Key, true
		}
	}
	return "", false
}

// benchOf is the benchmark of a run file's kind ("" is gro: files written
// before the GSO benchmark).
func benchOf(kind string) (*FrameBench, error) {
	switch kind {
	case "", "gro":
		return GROBench, nil
	case "gso":
		return GSOBench, nil
	}
	return nil, fmt.Errorf("kind %q (allowed: gro, gso)", kind)
}

// FrameOptions are the benchmark's.
type FrameOptions struct {
	Tunnels  []string      // "none" first in each rep, then the others
	Reps     int           // paired rounds of every tunnel
	Dur      time.Duration // the recorded window
	Warmup   time.Duration // traffic before the window
	PeriodNS int           // cpu-clock sampling period
	CPU      int           // the sender's and its softirqs' CPU (GRO's NAPI), recorded; the reader runs on another
	Command  string        // for provenance
	Log      io.Writer
	// LockWait bounds the wait for a testbed run holding the lock.
	LockWait time.Duration
}

// DefaultFrameOptions are the scripts': 10 s windows at 10 kHz after a
// second of warm-up, the sender on CPU 0, five paired reps of the plain
// stream and VXLAN; up to 15 minutes (a full testbed run) waiting for the
// lock.
func DefaultFrameOptions() FrameOptions {
	return FrameOptions{Tunnels: []string{"none", "vxlan"}, Reps: 5, Dur: 10 * time.Second, Warmup: time.Second,
		PeriodNS: 100000, CPU: 0, Log: io.Discard, LockWait: 15 * time.Minute}
}

// ParseFrameTunnels reads a comma-separated tunnel list: known names, no
// repeats, "none" among them (each tunnel's share is its run minus the
// paired plain run); "none" is put first.
func ParseFrameTunnels(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(FrameTunnels, f) {
			return nil, fmt.Errorf("unknown tunnel %q (allowed: %s)", f, strings.Join(FrameTunnels, ", "))
		}
		if slices.Contains(out, f) {
			return nil, fmt.Errorf("tunnel %q given twice", f)
		}
		out = append(out, f)
	}
	if !slices.Contains(out, "none") {
		return nil, fmt.Errorf("the list must include none: a tunnel's share is its run minus the paired plain run")
	}
	return append([]string{"none"}, slices.DeleteFunc(out, func(t string) bool { return t == "none" })...), nil
}

// FrameWindow is one recorded window: a tunnel in one rep.
type FrameWindow struct {
	Rep      int     `json:"rep"` // 1-based
	Tunnel   string  `json:"tunnel"`
	Date     string  `json:"date"`     // UTC, the window's start
	WindowS  float64 `json:"window_s"` // CLOCK_MONOTONIC between the two counter reads
	Frames   int64   `json:"frames"`   // over the window: GRO the receiving veth's rx_packets, GSO the sending veth's tx_packets
	PeriodNS int     `json:"period_ns"`
	FrameCount
}

// FrameCount is what the perf script of a window says about the recorded
// CPU: all its samples and those of each group and symbol.
type FrameCount struct {
	Samples int64            `json:"samples"`      // every sample on the CPU, idle included
	Idle    int64            `json:"samples_idle"` // swapper's
	Groups  map[string]int64 `json:"groups"`       // by the benchmark's group keys, every key present
	Symbols map[string]int64 `json:"symbols"`      // the groups' symbols that were sampled
}

// CyclesPerFrame is the window's group samples as cycles per frame (or
// segment) at ghz (a sample is period_ns of the CPU's time), in total and
// by group in the benchmark's order.
func (w FrameWindow) CyclesPerFrame(b *FrameBench, ghz float64) (total float64, groups []float64) {
	for _, g := range b.Groups {
		c := float64(w.Groups[g.Key]) * float64(w.PeriodNS) * ghz / float64(w.Frames)
		groups = append(groups, c)
		total += c
	}
	return total, groups
}

// FrameRun is gro.json or gso.json: the benchmark, the machine and every
// window.
type FrameRun struct {
	Kind        string        `json:"kind,omitempty"` // the benchmark: gro ("", files from before GSO's) or gso
	Command     string        `json:"command"`
	Date        string        `json:"date"`
	Kernel      string        `json:"kernel"`
	CPUModel    string        `json:"cpu_model"`
	CPUGHz      float64       `json:"cpu_ghz"`
	GHzFrom     string        `json:"ghz_from"`
	CPU         int           `json:"cpu"`          // the sender's and its softirqs' (GRO's NAPI), recorded
	ReceiverCPU int           `json:"receiver_cpu"` // the receiving application's
	Perf        string        `json:"perf"`
	Reps        int           `json:"reps"`
	Tunnels     []string      `json:"tunnels"`
	DurS        float64       `json:"dur_s"`
	WarmupS     float64       `json:"warmup_s"`
	Loadavg     string        `json:"loadavg"`     // /proc/loadavg at the start
	LoadavgEnd  string        `json:"loadavg_end"` // and at the end
	Windows     []FrameWindow `json:"windows"`
}

// Bench is the run's benchmark (its kind checked when it was loaded or
// measured).
func (r *FrameRun) Bench() *FrameBench {
	b, err := benchOf(r.Kind)
	if err != nil {
		return GROBench
	}
	return b
}

// window returns the rep's window of tunnel.
func (r *FrameRun) window(rep int, tunnel string) (FrameWindow, bool) {
	for _, w := range r.Windows {
		if w.Rep == rep && w.Tunnel == tunnel {
			return w, true
		}
	}
	return FrameWindow{}, false
}

// check validates a loaded run: every rep has a window of every tunnel,
// each with frames, a period and every group.
func (r *FrameRun) check() error {
	b, err := benchOf(r.Kind)
	if err != nil {
		return err
	}
	if !(r.CPUGHz > 0) {
		return fmt.Errorf("cpu_ghz must be > 0, got %v", r.CPUGHz)
	}
	if r.Reps < 1 || len(r.Tunnels) == 0 || r.Tunnels[0] != "none" {
		return fmt.Errorf("reps must be >= 1 and tunnels start with none, got %d and %v", r.Reps, r.Tunnels)
	}
	for i, t := range r.Tunnels {
		if !slices.Contains(FrameTunnels, t) {
			return fmt.Errorf("unknown tunnel %q (allowed: %s)", t, strings.Join(FrameTunnels, ", "))
		}
		if slices.Contains(r.Tunnels[:i], t) {
			return fmt.Errorf("tunnel %q listed twice", t)
		}
	}
	if len(r.Windows) != r.Reps*len(r.Tunnels) {
		return fmt.Errorf("%d windows, want reps x tunnels = %d", len(r.Windows), r.Reps*len(r.Tunnels))
	}
	for i, w := range r.Windows {
		if w.Rep < 1 || w.Rep > r.Reps || !slices.Contains(r.Tunnels, w.Tunnel) {
			return fmt.Errorf("windows[%d]: rep %d or tunnel %q not in the run", i, w.Rep, w.Tunnel)
		}
		if w.Frames <= 0 || w.PeriodNS <= 0 || w.Samples <= 0 {
			return fmt.Errorf("windows[%d] (rep %d, %s): frames, period_ns and samples must be > 0", i, w.Rep, w.Tunnel)
		}
		var sum int64
		for _, g := range b.Groups {
			n, ok := w.Groups[g.Key]
			if !ok || n < 0 {
				return fmt.Errorf("windows[%d] (rep %d, %s): groups.%s missing or negative", i, w.Rep, w.Tunnel, g.Key)
			}
			sum += n
		}
		if len(w.Groups) != len(b.Groups) || sum > w.Samples {
			return fmt.Errorf("windows[%d] (rep %d, %s): groups must be exactly %s and sum to at most samples", i, w.Rep, w.Tunnel, b.groupKeys())
		}
	}
	for rep := 1; rep <= r.Reps; rep++ {
		for _, t := range r.Tunnels {
			if _, ok := r.window(rep, t); !ok {
				return fmt.Errorf("no window of rep %d, tunnel %s", rep, t)
			}
		}
	}
	return nil
}

func (b *FrameBench) groupKeys() string {
	k := make([]string, len(b.Groups))
	for i, g := range b.Groups {
		k[i] = g.Key
	}
	return strings.Join(k, ", ")
}

// ParseFrames decodes and checks a gro.json or gso.json; errors name
// file.
func ParseFrames(file string, b []byte) (*FrameRun, error) {
	var r FrameRun
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &r, nil
}

// LoadFrames reads b's file in dir: a run of that benchmark.
func LoadFrames(dir string, b *FrameBench) (*FrameRun, error) {
	p := filepath.Join(dir, b.File)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	r, err := ParseFrames(p, data)
	if err != nil {
		return nil, err
	}
	if r.Bench() != b {
		return nil, fmt.Errorf("%s: kind %q, want %s", p, r.Kind, b.Name)
	}
	return r, nil
}

// Save writes the run's file in dir whole or not at all.
func (r *FrameRun) Save(dir string) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return writeWhole(filepath.Join(dir, r.Bench().File), append(b, '\n'))
}

// scriptHeaderRE is a perf script sample header of the fields the
// benchmarks read (comm tid [cpu] time: period event:), optionally
// followed by the leaf frame (perf script -G hides the call chain and
// prints the sample's ip, sym and dso on the header line). The comm may
// hold spaces.
var scriptHeaderRE = regexp.MustCompile(`^\s*(.*?)\s+-?\d+(?:/-?\d+)?\s+\[(\d+)\]\s+\d+\.\d+:\s+\d+\s+\S+:\s*(.*)$`)

// ParseFrameScript counts the samples of perf script text (fields comm,
// tid, cpu, time, period, event, ip, sym, dso; call chains shown or hidden
// with -G) on cpu: all, swapper's, and by b's groups, any comm: by the
// leaf symbol (self time, as gro-frame.sh's perf report --sort sym does),
// or, for a Stack benchmark, by the first symbol of a group found on the
// call chain from the leaf up (as gso-segment.sh's awk does; a sample
// counts once). Samples of other CPUs are not counted; a line that is
// neither a sample header nor a frame (tab-indented) is an error naming
// its line.
func ParseFrameScript(r io.Reader, cpu int, b *FrameBench) (FrameCount, error) {
	n := FrameCount{Groups: map[string]int64{}, Symbols: map[string]int64{}}
	for _, g := range b.Groups {
		n.Groups[g.Key] = 0
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	// on: the current sample is on cpu; done: it has been counted (its
	// leaf seen, or a group's symbol found on its stack)
	on, done := false, true
	frame := func(sym string) {
		if done || !on {
			done = done || !b.Stack
			return
		}
		g, ok := b.groupOf(sym)
		if ok {
			n.Groups[g]++
			n.Symbols[sym]++
		}
		done = ok || !b.Stack
	}
	for line := 1; sc.Scan(); line++ {
		l := sc.Text()
		switch {
		case strings.TrimSpace(l) == "":
		case strings.HasPrefix(l, "\t"):
			frame(frameSym(l))
		default:
			m := scriptHeaderRE.FindStringSubmatch(l)
			if m == nil {
				return n, fmt.Errorf("line %d: neither a sample header (comm tid [cpu] time: period event:) nor a tab-indented frame: %.80q", line, l)
			}
			c, err := strconv.Atoi(m[2])
			if err != nil {
				return n, fmt.Errorf("line %d: cpu %q: %w", line, m[2], err)
			}
			on, done = c == cpu, false
			if on {
				n.Samples++
				if m[1] == "swapper" {
					n.Idle++
				}
			}
			if strings.TrimSpace(m[3]) != "" {
				frame(frameSym(m[3]))
			}
		}
	}
	return n, sc.Err()
}

// frameSym is the symbol of a frame "ip sym (dso)" without its +0x offset.
func frameSym(f string) string {
	f = strings.TrimSpace(f)
	if i := strings.IndexAny(f, " \t"); i >= 0 {
		f = strings.TrimSpace(f[i:]) // the ip
	} else {
		return ""
	}
	if i := strings.LastIndex(f, " ("); i >= 0 && strings.HasSuffix(f, ")") {
		f = f[:i]
	}
	if i := strings.LastIndex(f, "+0x"); i > 0 {
		f = f[:i]
	}
	return strings.TrimSpace(f)
}

// FrameLayer is a calibration layer from the run, meant to go over
// "paper" and carrying no [[cost]]: [[gro_frame]] entries from a GRO run,
// [[gso_segment]] entries from a GSO run. Device "" is the median over
// the reps of the plain stream's cycles per frame (segment); a tunnel's
// device is the median over the reps of its cycles per frame minus the
// same rep's plain run's (a paired difference, so that the machine's slow
// phases cancel). Cycles are at the run's clock; ghz is the layer's
// cpu_ghz (the base's, so that layering changes no ns-stated cost of the
// base; 0: the run's).
func FrameLayer(r *FrameRun, name string, ghz float64) (*calibration.Profile, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if ghz == 0 {
		ghz = r.CPUGHz
	}
	b := r.Bench()
	prov := fmt.Sprintf("command %q, %s, kernel %s, CPU %q at %.4g GHz (%s), %s, %d reps, load average %s at the start and %s at the end",
		r.Command, r.Date, r.Kernel, r.CPUModel, r.CPUGHz, r.GHzFrom, r.Perf, r.Reps, r.Loadavg, r.LoadavgEnd)
	method, caveat, tunnelHow, desc := r.methodText()
	p := &calibration.Profile{Name: name, GHz: ghz, Description: desc}
	plain, plainGroups := r.perRep("none")
	for _, t := range r.Tunnels {
		tot, groups := r.perRep(t)
		g := calibration.FrameCost{Device: t, Provenance: calibration.Measured}
		if t == "none" {
			g.Device = "" // every frame
			g.Cycles = round4(median(tot))
			g.Source = fmt.Sprintf("%s; per rep %s cycles per %s, median %.4g (by group, medians over the reps: %s); %s; %s",
				method, fmtCycles(tot), b.Unit, median(tot), b.fmtGroups(groups), caveat, prov)
		} else {
			diff, gdiff := make([]float64, len(tot)), make([][]float64, len(groups))
			for i := range tot {
				diff[i] = tot[i] - plain[i]
			}
			for j := range groups {
				for i := range groups[j] {
					gdiff[j] = append(gdiff[j], groups[j][i]-plainGroups[j][i])
				}
			}
			g.Cycles = round4(median(diff))
			if g.Cycles < 0 {
				return nil, fmt.Errorf("%s: its %ss cost %s cycles against %s for the paired plain runs: the median difference %.4g is negative, the run cannot separate the tunnel's share (measure again on a quieter machine)", t, b.Unit, fmtCycles(tot), fmtCycles(plain), g.Cycles)
			}
			g.Source = fmt.Sprintf("%s; the stream crosses a %s device in each namespace over the veth%s; per rep the %s %ss cost %s cycles and the paired plain %ss %s, differences %s, median %.4g (by group, medians over the reps of the %s %ss: %s; of the differences: %s); %s",
				method, t, tunnelHow, t, b.Unit, fmtCycles(tot), b.Unit, fmtCycles(plain), fmtCycles(diff), median(diff), t, b.Unit, b.fmtGroups(groups), b.fmtGroups(gdiff), prov)
		}
		e := b.entries(p)
		*e = append(*e, g)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// methodText says how the run measured, for the layer's sources: the
// method, the plain entry's caveat, what a tunnel's run adds, and the
// layer's description.
func (r *FrameRun) methodText() (method, caveat, tunnelHow, desc string) {
	b := r.Bench()
	var syms []string
	for _, g := range b.Groups {
		syms = append(syms, fmt.Sprintf("%s (%s)", g.Label, strings.Join(g.Syms, " ")))
	}
	period := r.Windows[0].PeriodNS
	if b == GSOBench {
		return fmt.Sprintf("cnisim testbed gso: a bulk TCP stream whose sender's veth has TSO off and GSO on, so that the device layer cuts TCP's super-packets into MTU segments in software before veth_xmit (validate_xmit_skb -> __skb_gso_segment); the sender and the softirqs on CPU %d, the reader on CPU %d; perf record -e cpu-clock -c %d -C %d -g over %g s windows after %g s of warm-up, a sample counted when %s is on its call chain (any comm); the sending veth's tx_packets over the same window count the segments; cycles per segment = samples x period x clock / segments",
				r.CPU, r.ReceiverCPU, period, r.CPU, r.DurS, r.WarmupS, strings.Join(syms, ", ")),
			"a NIC with TSO (and, for a tunnel, its UDP tunnel segmentation) cuts in hardware and pays none of it; with the reader on the sender's CPU the kernel falls into one of two regimes (gso-segment.sh read 236-738 cycles over 8 runs that way), with it on another, as here, runs on the project's VM spread about 20% either way, so take the median of several reps",
			" (its offloads on, so that super-packets reach the veth, which cuts the encapsulated ones)",
			"software GSO's per-segment cost from cnisim testbed gso (super-packets cut in software before a veth on this machine); layer over paper"
	}
	return fmt.Sprintf("cnisim testbed gro: a bulk TCP stream of MTU-sized frames (TSO and GSO off on the sender's veth) into a veth with GRO on (its NAPI, Linux 5.13+), the sender and the NAPI on CPU %d, the receiver on CPU %d; perf record -e cpu-clock -c %d -C %d over %g s windows after %g s of warm-up, each sample counted by its leaf symbol (self time, any comm) in one of three groups: %s; the receiving veth's rx_packets over the same window count the frames; cycles per frame = samples x period x clock / frames",
			r.CPU, r.ReceiverCPU, period, r.CPU, r.DurS, r.WarmupS, strings.Join(syms, ", ")),
		"a NIC driver's per-frame work (descriptors, DMA, page refill) is more than veth's ring, so for a host with a NIC this is a lower bound",
		" (TSO and GSO off on it), and GRO parses its headers too",
		"GRO's per-frame cost from cnisim testbed gro (MTU frames merged by a veth's NAPI on this machine; a lower bound for a NIC host); layer over paper"
}

// perRep is tunnel's cycles per frame in rep order, in total and by group
// (groups[j][i]: group j in rep i+1).
func (r *FrameRun) perRep(tunnel string) (tot []float64, groups [][]float64) {
	b := r.Bench()
	groups = make([][]float64, len(b.Groups))
	for rep := 1; rep <= r.Reps; rep++ {
		w, _ := r.window(rep, tunnel)
		c, gs := w.CyclesPerFrame(b, r.CPUGHz)
		tot = append(tot, c)
		for j, v := range gs {
			groups[j] = append(groups[j], v)
		}
	}
	return tot, groups
}

// median of a non-empty list (the mean of the middle two when even).
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	n := len(s)
	if n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[n/2]
}

func fmtCycles(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.0f", x)
	}
	return strings.Join(s, ", ")
}

func (b *FrameBench) fmtGroups(groups [][]float64) string {
	s := make([]string, len(groups))
	for j, g := range groups {
		s[j] = fmt.Sprintf("%s %.0f", b.Groups[j].Label, median(g))
	}
	return strings.Join(s, ", ")
}
