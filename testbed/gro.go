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

// The GRO benchmark measures what one frame GRO merges costs the receiving
// core on this kernel (the Go port of calibration/gro/gro-frame.sh, the
// source of network.DefaultGROFrameCycles): MTU-sized TCP frames cross a
// veth pair whose sender has TSO and GSO off and whose receiver has GRO on,
// which gives the veth a NAPI (veth_gro_requested, Linux 5.13+), so every
// frame goes through napi_gro_receive and is merged. The sender and the
// NAPI share one CPU (veth_xmit schedules the NAPI where it runs); perf
// samples that CPU, and the receiving veth's rx_packets count the frames
// of the same window. With a tunnel the stream crosses it over the veth
// and GRO parses its headers too; the tunnel's share is the paired
// difference from the plain run of the same rep.

// GROFile is the benchmark's measurement file in its directory.
const GROFile = "gro.json"

// GROGroup is one share of a merged frame's cost: the kernel functions
// whose self time (the samples' leaf symbol) makes it up.
type GROGroup struct {
	Key   string   // in gro.json's groups
	Label string   // in the layer's source
	Syms  []string // leaf symbols, as perf prints them
}

// GROGroups are the per-frame functions, exactly gro-frame.sh's awk
// lists: what veth's ring costs (a NIC's driver costs more), GRO's
// protocol callbacks and merge, and freeing the merged frames' heads.
var GROGroups = []GROGroup{
	{Key: "ring", Label: "veth ring consumer", Syms: []string{"veth_xdp_rcv", "veth_xdp_rcv_skb", "veth_poll", "eth_type_trans"}},
	{Key: "gro", Label: "GRO callbacks and merge", Syms: []string{"napi_gro_receive", "gro_receive_skb", "dev_gro_receive",
		"inet_gro_receive", "tcp4_gro_receive", "tcp_gro_receive", "skb_gro_receive", "tcp_gro_pull_header", "gro_pull_from_frag0",
		"gro_complete.constprop.0", "udp4_gro_receive", "udp_gro_receive", "vxlan_gro_receive", "eth_gro_receive", "gre_gro_receive", "ipip_gro_receive"}},
	{Key: "freed", Label: "merged heads freed", Syms: []string{"__napi_kfree_skb", "napi_skb_cache_put", "kmem_cache_free_bulk", "build_detached_freelist"}},
}

// GROTunnels are the tunnels a run may cross besides "none"; gre and ipip
// need kernel modules this VM's kernel lacks (the run then fails and says
// so, as the script does).
var GROTunnels = []string{"none", "vxlan", "gre", "ipip"}

// groGroupOf maps a leaf symbol to its group's key.
var groGroupOf = func() map[string]string {
	m := map[string]string{}
	for _, g := range GROGroups {
		for _, s := range g.Syms {
			m[s] = g.Key
		}
	}
	return m
}()

// GROOptions are the benchmark's.
type GROOptions struct {
	Tunnels  []string      // "none" first in each rep, then the others
	Reps     int           // paired rounds of every tunnel
	Dur      time.Duration // the recorded window
	Warmup   time.Duration // traffic before the window
	PeriodNS int           // cpu-clock sampling period
	CPU      int           // the sender's and the NAPI's CPU, recorded
	Command  string        // for provenance
	Log      io.Writer
	// LockWait bounds the wait for a testbed run holding the lock.
	LockWait time.Duration
}

// DefaultGROOptions are gro-frame.sh's: 10 s windows at 10 kHz after a
// second of warm-up, the sender on CPU 0, five paired reps of the plain
// stream and VXLAN; up to 15 minutes (a full testbed run) waiting for the
// lock.
func DefaultGROOptions() GROOptions {
	return GROOptions{Tunnels: []string{"none", "vxlan"}, Reps: 5, Dur: 10 * time.Second, Warmup: time.Second,
		PeriodNS: 100000, CPU: 0, Log: io.Discard, LockWait: 15 * time.Minute}
}

// ParseGROTunnels reads a comma-separated tunnel list: known names, no
// repeats, "none" among them (each tunnel's share is its run minus the
// paired plain run); "none" is put first.
func ParseGROTunnels(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(GROTunnels, f) {
			return nil, fmt.Errorf("unknown tunnel %q (allowed: %s)", f, strings.Join(GROTunnels, ", "))
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

// GROWindow is one recorded window: a tunnel in one rep.
type GROWindow struct {
	Rep      int     `json:"rep"` // 1-based
	Tunnel   string  `json:"tunnel"`
	Date     string  `json:"date"`     // UTC, the window's start
	WindowS  float64 `json:"window_s"` // CLOCK_MONOTONIC between the two counter reads
	Frames   int64   `json:"frames"`   // the receiving veth's rx_packets over the window
	PeriodNS int     `json:"period_ns"`
	GROCount
}

// GROCount is what the perf script of a window says about the recorded
// CPU: all its samples and those of each group and symbol.
type GROCount struct {
	Samples int64            `json:"samples"`      // every sample on the CPU, idle included
	Idle    int64            `json:"samples_idle"` // swapper's
	Groups  map[string]int64 `json:"groups"`       // by GROGroups key, every key present
	Symbols map[string]int64 `json:"symbols"`      // the groups' symbols that were sampled
}

// CyclesPerFrame is the window's group samples as cycles per frame at ghz
// (a sample is period_ns of the CPU's time), in total and by group in
// GROGroups order.
func (w GROWindow) CyclesPerFrame(ghz float64) (total float64, groups []float64) {
	for _, g := range GROGroups {
		c := float64(w.Groups[g.Key]) * float64(w.PeriodNS) * ghz / float64(w.Frames)
		groups = append(groups, c)
		total += c
	}
	return total, groups
}

// GRORun is gro.json: the machine and every window.
type GRORun struct {
	Command     string      `json:"command"`
	Date        string      `json:"date"`
	Kernel      string      `json:"kernel"`
	CPUModel    string      `json:"cpu_model"`
	CPUGHz      float64     `json:"cpu_ghz"`
	GHzFrom     string      `json:"ghz_from"`
	CPU         int         `json:"cpu"`          // the sender's and NAPI's, recorded
	ReceiverCPU int         `json:"receiver_cpu"` // the receiving application's
	Perf        string      `json:"perf"`
	Reps        int         `json:"reps"`
	Tunnels     []string    `json:"tunnels"`
	DurS        float64     `json:"dur_s"`
	WarmupS     float64     `json:"warmup_s"`
	Loadavg     string      `json:"loadavg"`     // /proc/loadavg at the start
	LoadavgEnd  string      `json:"loadavg_end"` // and at the end
	Windows     []GROWindow `json:"windows"`
}

// window returns the rep's window of tunnel.
func (r *GRORun) window(rep int, tunnel string) (GROWindow, bool) {
	for _, w := range r.Windows {
		if w.Rep == rep && w.Tunnel == tunnel {
			return w, true
		}
	}
	return GROWindow{}, false
}

// check validates a loaded run: every rep has a window of every tunnel,
// each with frames, a period and every group.
func (r *GRORun) check() error {
	if !(r.CPUGHz > 0) {
		return fmt.Errorf("cpu_ghz must be > 0, got %v", r.CPUGHz)
	}
	if r.Reps < 1 || len(r.Tunnels) == 0 || r.Tunnels[0] != "none" {
		return fmt.Errorf("reps must be >= 1 and tunnels start with none, got %d and %v", r.Reps, r.Tunnels)
	}
	for i, t := range r.Tunnels {
		if !slices.Contains(GROTunnels, t) {
			return fmt.Errorf("unknown tunnel %q (allowed: %s)", t, strings.Join(GROTunnels, ", "))
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
		for _, g := range GROGroups {
			n, ok := w.Groups[g.Key]
			if !ok || n < 0 {
				return fmt.Errorf("windows[%d] (rep %d, %s): groups.%s missing or negative", i, w.Rep, w.Tunnel, g.Key)
			}
			sum += n
		}
		if len(w.Groups) != len(GROGroups) || sum > w.Samples {
			return fmt.Errorf("windows[%d] (rep %d, %s): groups must be exactly %s and sum to at most samples", i, w.Rep, w.Tunnel, groupKeys())
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

func groupKeys() string {
	k := make([]string, len(GROGroups))
	for i, g := range GROGroups {
		k[i] = g.Key
	}
	return strings.Join(k, ", ")
}

// ParseGRO decodes and checks a gro.json; errors name file.
func ParseGRO(file string, b []byte) (*GRORun, error) {
	var r GRORun
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &r, nil
}

// LoadGRO reads dir/gro.json.
func LoadGRO(dir string) (*GRORun, error) {
	p := filepath.Join(dir, GROFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return ParseGRO(p, b)
}

// Save writes dir/gro.json whole or not at all.
func (r *GRORun) Save(dir string) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return writeWhole(filepath.Join(dir, GROFile), append(b, '\n'))
}

// groHeaderRE is a perf script sample header of the fields GRO reads
// (comm tid [cpu] time: period event:), optionally followed by the leaf
// frame (perf script -G hides the call chain and prints the sample's ip,
// sym and dso on the header line). The comm may hold spaces.
var groHeaderRE = regexp.MustCompile(`^\s*(.*?)\s+-?\d+(?:/-?\d+)?\s+\[(\d+)\]\s+\d+\.\d+:\s+\d+\s+\S+:\s*(.*)$`)

// ParseGROScript counts the samples of perf script text (fields comm, tid,
// cpu, time, period, event, ip, sym, dso; call chains shown or hidden with
// -G) on cpu: all, swapper's, and by the group of their leaf symbol (self
// time, any comm), as gro-frame.sh's perf report --sort sym does. Samples
// of other CPUs are not counted; a line that is neither a sample header
// nor a frame (tab-indented) is an error naming its line.
func ParseGROScript(r io.Reader, cpu int) (GROCount, error) {
	n := GROCount{Groups: map[string]int64{}, Symbols: map[string]int64{}}
	for _, g := range GROGroups {
		n.Groups[g.Key] = 0
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	on, leafDone := false, true // the current sample is on cpu; its leaf is counted
	count := func(sym string) {
		leafDone = true
		if !on {
			return
		}
		if g, ok := groGroupOf[sym]; ok {
			n.Groups[g]++
			n.Symbols[sym]++
		}
	}
	for line := 1; sc.Scan(); line++ {
		l := sc.Text()
		switch {
		case strings.TrimSpace(l) == "":
		case strings.HasPrefix(l, "\t"):
			if !leafDone {
				count(frameSym(l))
			}
		default:
			m := groHeaderRE.FindStringSubmatch(l)
			if m == nil {
				return n, fmt.Errorf("line %d: neither a sample header (comm tid [cpu] time: period event:) nor a tab-indented frame: %.80q", line, l)
			}
			c, err := strconv.Atoi(m[2])
			if err != nil {
				return n, fmt.Errorf("line %d: cpu %q: %w", line, m[2], err)
			}
			on, leafDone = c == cpu, false
			if on {
				n.Samples++
				if m[1] == "swapper" {
					n.Idle++
				}
			}
			if strings.TrimSpace(m[3]) != "" {
				count(frameSym(m[3]))
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

// GROLayer is a calibration layer of [[gro_frame]] entries from the run,
// meant to go over "paper" and carrying no [[cost]]: device "" is the
// median over the reps of the plain stream's cycles per frame; a tunnel's
// device is the median over the reps of its cycles per frame minus the
// same rep's plain run's (a paired difference, so that the machine's
// slow phases cancel). Cycles are at the run's clock; ghz is the layer's
// cpu_ghz (the base's, so that layering changes no ns-stated cost of the
// base; 0: the run's).
func GROLayer(r *GRORun, name string, ghz float64) (*calibration.Profile, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	if ghz == 0 {
		ghz = r.CPUGHz
	}
	var syms []string
	for _, g := range GROGroups {
		syms = append(syms, fmt.Sprintf("%s (%s)", g.Label, strings.Join(g.Syms, " ")))
	}
	method := fmt.Sprintf("cnisim testbed gro: a bulk TCP stream of MTU-sized frames (TSO and GSO off on the sender's veth) into a veth with GRO on (its NAPI, Linux 5.13+), the sender and the NAPI on CPU %d, the receiver on CPU %d; perf record -e cpu-clock -c %d -C %d over %g s windows after %g s of warm-up, each sample counted by its leaf symbol (self time, any comm) in one of three groups: %s; the receiving veth's rx_packets over the same window count the frames; cycles per frame = samples x period x clock / frames",
		r.CPU, r.ReceiverCPU, r.Windows[0].PeriodNS, r.CPU, r.DurS, r.WarmupS, strings.Join(syms, ", "))
	prov := fmt.Sprintf("command %q, %s, kernel %s, CPU %q at %.4g GHz (%s), %s, %d reps, load average %s at the start and %s at the end",
		r.Command, r.Date, r.Kernel, r.CPUModel, r.CPUGHz, r.GHzFrom, r.Perf, r.Reps, r.Loadavg, r.LoadavgEnd)
	p := &calibration.Profile{Name: name, GHz: ghz,
		Description: "GRO's per-frame cost from cnisim testbed gro (MTU frames merged by a veth's NAPI on this machine; a lower bound for a NIC host); layer over paper"}
	plain, plainGroups := r.perRep("none")
	for _, t := range r.Tunnels {
		tot, groups := r.perRep(t)
		g := groFrameEntry(t)
		if t == "none" {
			g.Cycles = round4(median(tot))
			g.Source = fmt.Sprintf("%s; per rep %s cycles per frame, median %.4g (by group, medians over the reps: %s); a NIC driver's per-frame work (descriptors, DMA, page refill) is more than veth's ring, so for a host with a NIC this is a lower bound; %s",
				method, fmtCycles(tot), median(tot), fmtGroups(groups), prov)
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
				return nil, fmt.Errorf("%s: its frames cost %s cycles against %s for the paired plain runs: the median difference %.4g is negative, the run cannot separate the tunnel's share (measure again on a quieter machine)", t, fmtCycles(tot), fmtCycles(plain), g.Cycles)
			}
			g.Source = fmt.Sprintf("%s; the stream crosses a %s device in each namespace over the veth (TSO and GSO off on it), and GRO parses its headers too; per rep the %s frames cost %s cycles and the paired plain frames %s, differences %s, median %.4g (by group, medians over the reps of the %s frames: %s; of the differences: %s); %s",
				method, t, t, fmtCycles(tot), fmtCycles(plain), fmtCycles(diff), median(diff), t, fmtGroups(groups), fmtGroups(gdiff), prov)
		}
		p.GROFrames = append(p.GROFrames, g)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// groFrameEntry is the measured [[gro_frame]] entry of tunnel ("none":
// every merged frame, device "").
func groFrameEntry(tunnel string) calibration.FrameCost {
	g := calibration.FrameCost{Device: tunnel, Provenance: calibration.Measured}
	if tunnel == "none" {
		g.Device = ""
	}
	return g
}

// perRep is tunnel's cycles per frame in rep order, in total and by group
// (groups[j][i]: group j in rep i+1).
func (r *GRORun) perRep(tunnel string) (tot []float64, groups [][]float64) {
	groups = make([][]float64, len(GROGroups))
	for rep := 1; rep <= r.Reps; rep++ {
		w, _ := r.window(rep, tunnel)
		c, gs := w.CyclesPerFrame(r.CPUGHz)
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

func fmtGroups(groups [][]float64) string {
	s := make([]string, len(groups))
	for j, g := range groups {
		s[j] = fmt.Sprintf("%s %.0f", GROGroups[j].Label, median(g))
	}
	return strings.Join(s, ", ")
}
