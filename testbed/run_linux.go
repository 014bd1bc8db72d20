//go:build linux

package testbed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// lookPath finds a tool; tests replace it to inject a missing tool.
var lookPath = exec.LookPath

// Preflight says what the machine lacks for any run: root, perf.
func Preflight() error {
	if os.Geteuid() != 0 {
		return ErrNotRoot
	}
	if _, err := lookPath("perf"); err != nil {
		return &MissingError{What: "perf", Hint: "apt-get install -y linux-perf"}
	}
	return nil
}

// needs returns the tools a configuration needs besides perf.
func needs(c Config) []string {
	switch c.Engine {
	case "iptables-legacy":
		return []string{"iptables-legacy-restore"}
	case "iptables-nft":
		return []string{"iptables-nft-restore"}
	case "nftables":
		return []string{"nft"}
	}
	return nil
}

// Measure runs every configuration: builds it, measures it, removes it.
// A configuration that cannot be built (missing tool or kernel feature)
// is skipped with the reason; other errors end the run. Every namespace
// with the prefix is removed before (leftovers of a killed run) and on
// return, whatever happens.
func Measure(ctx context.Context, o Options) (*Run, error) {
	if err := Preflight(); err != nil {
		return nil, err
	}
	if o.CPU < 0 {
		o.CPU = lastCPU()
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	release, m, err := takeTestbed(ctx, 2*time.Minute, o.CPU, o.Log)
	if err != nil {
		return nil, err
	}
	defer release()
	r := &Run{Command: o.Command, Date: time.Now().UTC().Format(time.RFC3339), Kernel: kernelRelease(),
		CPUModel: m.model, CPUGHz: m.mhz / 1000, GHzFrom: m.ghzFrom, CPU: o.CPU, Perf: m.perf, Loadavg: loadavg(), RuleChain: PolicyChain}
	tmp, err := os.MkdirTemp(filepath.Dir(scratchDir("")), filepath.Base(scratchDir("")))
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for _, c := range o.Configs {
		if err := ctx.Err(); err != nil {
			return r, fmt.Errorf("stopped before %s: %w", c.Name, context.Cause(ctx))
		}
		m, err := measureOne(ctx, o, r.CPUGHz, c, tmp)
		var miss *MissingError
		if errors.As(err, &miss) {
			fmt.Fprintf(o.Log, "%s: skipped: %v\n", c.Name, err)
			r.Skipped = append(r.Skipped, Skip{Name: c.Name, Reason: err.Error()})
			continue
		}
		if err != nil {
			return r, fmt.Errorf("%s: %w", c.Name, err)
		}
		fmt.Fprintf(o.Log, "%s: %s regime, %d data packets, %d ACKs, %.0f cycles/packet (repetitions %.0f, spread %.1f%%, others' share %.2f), one-core %.0f Mbit/s, TCP_RR %.1f us (%.1f us busy CPU), load %s\n",
			c.Name, m.Regime, m.DataPackets, m.AckPackets, m.CPP(), m.RepCPP, m.Spread(), m.RepOther, m.OneCoreMbps(r.CPUGHz), m.RRLatencyUS(), m.RRCPUUS(r.CPUGHz, m.RRTransactions), m.Loadavg)
		if u := m.UDP; u != nil {
			fmt.Fprintf(o.Log, "%s: UDP %s regime, %d-byte datagrams: %.0f/s sent, %.0f/s received, loss %.2f%%, %.0f cycles/datagram; UDP_RR %.1f us (%.1f us busy CPU, %d resent)\n",
				c.Name, u.Regime, u.DatagramSize, u.SentPerS(), u.ReceivedPerS(), 100*u.Loss(), u.CyclesPerDatagram(), u.RRLatencyUS(), u.RRCPUUS(r.CPUGHz, u.RRTransactions), u.RRLost)
		}
		r.Configs = append(r.Configs, *m)
	}
	return r, nil
}

// machine is what a run records about the recorded CPU and perf.
type machine struct {
	model   string
	mhz     float64
	ghzFrom string // where mhz was read
	perf    string // perf --version
}

// takeTestbed takes the testbed's lock (waiting up to wait), removes a
// killed run's leftovers, and describes cpu; release removes every
// namespace with the prefix and gives the lock back.
func takeTestbed(ctx context.Context, wait time.Duration, cpu int, log io.Writer) (release func(), m machine, err error) {
	unlock, err := Lock(ctx, wait)
	if err != nil {
		return nil, m, err
	}
	release = func() {
		Cleanup()
		unlock()
	}
	if old, err := CleanupKilled(); err != nil {
		unlock()
		return nil, m, fmt.Errorf("removing leftovers: %w", err)
	} else if len(old) > 0 {
		fmt.Fprintf(log, "removed leftovers of a killed run: %s\n", strings.Join(old, ", "))
	}
	if m.model, m.mhz, err = cpuInfo(cpu); err != nil {
		release()
		return nil, m, err
	}
	m.ghzFrom = fmt.Sprintf("/proc/cpuinfo 'cpu MHz' of CPU %d (%g MHz)", cpu, m.mhz)
	pv, _ := exec.Command("perf", "--version").Output()
	m.perf = strings.TrimSpace(string(pv))
	return release, m, nil
}

func lastCPU() int {
	n := 0
	for i := 0; i < 1024; i++ {
		if _, err := os.Stat(fmt.Sprintf("/sys/devices/system/cpu/cpu%d", i)); err != nil {
			break
		}
		n = i
	}
	return n
}

// otherCPU is a CPU other than cpu for a -2cpu configuration's client:
// the lowest one; a machine with one CPU cannot build it.
func otherCPU(cpu int) (int, error) {
	for i := 0; i <= lastCPU(); i++ {
		if i != cpu {
			return i, nil
		}
	}
	return 0, &MissingError{What: "a second CPU", Hint: "a machine with two CPUs or more"}
}

// measureOne builds c, takes stream windows until one is in the inline
// regime (or Tries are spent: the last one is kept and says its regime),
// then a UDP stream window, the RR runs, and removes the topology.
func measureOne(ctx context.Context, o Options, ghz float64, c Config, tmp string) (*Measurement, error) {
	for _, tool := range needs(c) {
		if _, err := lookPath(tool); err != nil {
			return nil, &MissingError{What: tool, Hint: "apt-get install -y iptables nftables"}
		}
	}
	defer Cleanup()
	la := loadavg()
	t, err := Build(c)
	if err != nil {
		return nil, err
	}
	devs, err := Inventory(t)
	if err != nil {
		return nil, err
	}
	comm := selfComm()
	if c.CPUs == 2 {
		// The client on another CPU, the server, perf's counters and the
		// run's clock on o.CPU; both recorded.
		other, err := otherCPU(o.CPU)
		if err != nil {
			return nil, err
		}
		t.ClientCPU, t.SplitCPUs = other, true
		o.cpus = []int{min(other, o.CPU), max(other, o.CPU)}
	}
	var ksoft []string
	for _, cpu := range o.recorded() {
		ksoft = append(ksoft, fmt.Sprintf("ksoftirqd/%d", cpu))
	}
	script := c.Name + ".script.gz"
	// Reps windows, each retried until inline; the configuration is the
	// window of median cycles per packet (its script is kept), the others'
	// costs are reported beside it (RepCPP).
	var reps []*Measurement
	for rep := 1; rep <= max(o.Reps, 1); rep++ {
		var m *Measurement
		out := filepath.Join(o.Out, fmt.Sprintf("%s.r%d.script.gz", c.Name, rep))
		for try := 1; try <= max(o.Tries, 1); try++ {
			if m, err = streamWindow(ctx, o, ghz, t, filepath.Join(tmp, "perf.data"), out, comm, ksoft); err != nil {
				return nil, err
			}
			m.Attempts = try
			if m.Regime == "inline" {
				break
			}
			fmt.Fprintf(o.Log, "%s: window %d in the %s regime, want inline: again\n", c.Name, try, m.Regime)
		}
		m.Script = out
		reps = append(reps, m)
	}
	m := medianWindow(reps)
	for _, r := range reps {
		m.RepCPP = append(m.RepCPP, r.CPP())
		all := r.SamplesTraffic + r.SamplesKsoftirqd + r.SamplesIdle + r.SamplesOther
		m.RepOther = append(m.RepOther, float64(r.SamplesOther)/float64(max(all, 1)))
		if r != m {
			os.Remove(r.Script)
		}
	}
	if err := os.Rename(m.Script, filepath.Join(o.Out, script)); err != nil {
		return nil, err
	}
	m.Config, m.Devices, m.Notes, m.Script, m.Comms = c, devs, t.Notes, script, append([]string{comm}, ksoft...)
	if c.CPUs == 2 {
		m.CPUs = o.recorded()
	}
	m.Loadavg = la
	if o.UDP {
		if m.UDP, err = measureUDP(ctx, o, ghz, t, devs, tmp, comm, ksoft); err != nil {
			return nil, err
		}
	}
	if err := measureRR(ctx, o, ghz, t, m, tmp, comm, ksoft); err != nil {
		return nil, err
	}
	return m, nil
}

// measureUDP takes UDP stream windows of datagrams that fill the sender
// pod's MTU until one is in the inline regime (or Tries are spent).
func measureUDP(ctx context.Context, o Options, ghz float64, t *Topology, devs []Device, tmp, comm string, ksoft []string) (*UDP, error) {
	mtu := 0
	for _, d := range devs {
		if d.NS == t.SenderNS && d.Name == t.SenderDev {
			mtu = d.MTU
		}
	}
	if mtu <= 28 {
		return nil, fmt.Errorf("UDP stream: no MTU for %s/%s", t.SenderNS, t.SenderDev)
	}
	script := t.Config.Name + ".udp.script.gz"
	var u *UDP
	var err error
	uo := o
	uo.Warmup, uo.Window = o.UDPWarmup, o.UDPWindow
	for try := 1; try <= max(o.Tries, 1); try++ {
		if u, err = udpWindow(ctx, uo, ghz, t, UDPPayload(mtu), filepath.Join(tmp, "perf.data"), filepath.Join(o.Out, script), comm, ksoft); err != nil {
			return nil, fmt.Errorf("UDP stream: %w", err)
		}
		u.Attempts = try
		if u.Regime == "inline" {
			break
		}
		fmt.Fprintf(o.Log, "%s: UDP window %d in the %s regime, want inline: again\n", t.Config.Name, try, u.Regime)
	}
	u.Script = script
	return u, nil
}

// loadavg is /proc/loadavg's first three fields ("" if unreadable).
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if err != nil || len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// snapshot is the counters at one instant.
type snapshot struct {
	t            float64 // CLOCK_MONOTONIC, perf's clock with -k CLOCK_MONOTONIC
	data, ack    linkStats
	payload      int64
	sent, msgs   int64
	rcvbufErrs   int64 // the receiver namespace's UDP RcvbufErrors
	busy, jiffie uint64
	// The application's send calls, read calls and wake-ups (flow).
	writes, reads, wakeups int64
}

func (t *Topology) snap(f *flow, cpu int) (snapshot, error) {
	var s snapshot
	sh, err := handle(t.SenderNS)
	if err != nil {
		return s, err
	}
	defer sh.Close()
	rh, err := handle(t.ReceiverNS)
	if err != nil {
		return s, err
	}
	defer rh.Close()
	t0 := mono()
	if s.data, err = readStats(sh, t.SenderDev); err != nil {
		return s, err
	}
	if s.ack, err = readStats(rh, t.RecvDev); err != nil {
		return s, err
	}
	s.payload, s.sent, s.msgs = f.received.Load(), f.sent.Load(), f.msgs.Load()
	s.writes, s.reads = f.writes.Load(), f.reads.Load()
	if s.wakeups, err = f.wakeups(); err != nil {
		return s, err
	}
	s.t = (t0 + mono()) / 2
	if s.rcvbufErrs, err = udpRcvbufErrors(t.ReceiverNS); err != nil {
		return s, err
	}
	s.busy, s.jiffie, err = cpuJiffies(cpu)
	return s, err
}

// window is one recorded window of a running flow: the counters at its
// two ends and the perf samples between them by comm.
type window struct {
	s0, s1 snapshot
	n      sampleCounts
}

// record runs the flow start returns, records the CPU over a window
// bracketed by two counter snapshots, and writes the window's perf
// script to out.
func record(ctx context.Context, o Options, t *Topology, data, out, comm string, ksoft []string, start func() *flow) (*window, error) {
	f := start()
	stopped := false
	defer func() {
		if !stopped {
			_ = f.Stop()
		}
	}()
	// perf starts while the flow warms up (it takes a second or more to
	// start on a loaded VM); the window begins after the warm-up, and the
	// script keeps only the window's samples.
	began := time.Now()
	rec, err := startPerf(ctx, data, o.recorded(), o.PeriodNS, o.Warmup+o.Window+20*time.Second)
	if err != nil {
		return nil, err
	}
	if err := sleep(ctx, o.Warmup-time.Since(began)); err != nil {
		_ = rec.stop()
		return nil, err
	}
	s0, err := t.snap(f, o.CPU)
	if err != nil {
		_ = rec.stop()
		return nil, err
	}
	if err := sleep(ctx, o.Window); err != nil {
		_ = rec.stop()
		return nil, err
	}
	s1, err := t.snap(f, o.CPU)
	perr := rec.stop()
	stopped = true
	if ferr := f.Stop(); ferr != nil {
		return nil, fmt.Errorf("traffic: %w", ferr)
	}
	if err != nil {
		return nil, err
	}
	if perr != nil {
		return nil, perr
	}
	if s1.payload <= s0.payload || s1.data.txPackets <= s0.data.txPackets {
		return nil, fmt.Errorf("no traffic counted over the window (%s %s)", t.SenderNS, t.SenderDev)
	}
	n, err := writeScript(ctx, data, out, s0.t, s1.t, comm, ksoft)
	if err != nil {
		return nil, err
	}
	return &window{s0: s0, s1: s1, n: n}, nil
}

// busyCycles is the traffic's and ksoftirqd's samples as cycles.
func (w *window) busyCycles(o Options, ghz float64) float64 {
	return w.n.busyCycles(o.PeriodNS, ghz)
}

// streamWindow runs one paced TCP stream and records one window of it.
func streamWindow(ctx context.Context, o Options, ghz float64, t *Topology, data, out, comm string, ksoft []string) (*Measurement, error) {
	w, err := record(ctx, o, t, data, out, comm, ksoft, func() *flow { return Stream(t, o.CPU, o.CC, o.PacingMbps) })
	if err != nil {
		return nil, err
	}
	s0, s1, n := w.s0, w.s1, w.n
	m := &Measurement{PacingMbps: o.PacingMbps, WindowS: s1.t - s0.t,
		DataPackets: int64(s1.data.txPackets - s0.data.txPackets), DataBytes: int64(s1.data.txBytes - s0.data.txBytes),
		AckPackets: int64(s1.ack.txPackets - s0.ack.txPackets), PayloadBytes: s1.payload - s0.payload,
		SamplesTraffic: n.traffic, SamplesKsoftirqd: n.ksoftirqd, SamplesIdle: n.idle, SamplesOther: n.other,
		PeriodNS: o.PeriodNS, Regime: Regime(n.traffic, n.ksoftirqd), BusyCycles: w.busyCycles(o, ghz),
		Writes: s1.writes - s0.writes, Reads: s1.reads - s0.reads, Wakeups: s1.wakeups - s0.wakeups}
	if dj := s1.jiffie - s0.jiffie; dj > 0 {
		m.CPUBusyFrac = float64(s1.busy-s0.busy) / float64(dj)
	}
	return m, nil
}

// udpWindow runs one paced UDP stream of size-byte datagrams and records
// one window of it.
func udpWindow(ctx context.Context, o Options, ghz float64, t *Topology, size int, data, out, comm string, ksoft []string) (*UDP, error) {
	w, err := record(ctx, o, t, data, out, comm, ksoft, func() *flow { return UDPStream(t, o.CPU, size, o.PacingMbps) })
	if err != nil {
		return nil, err
	}
	s0, s1, n := w.s0, w.s1, w.n
	return &UDP{PacingMbps: o.PacingMbps, DatagramSize: size, WindowS: s1.t - s0.t,
		Sent: s1.sent - s0.sent, Received: s1.msgs - s0.msgs,
		TxPackets: int64(s1.data.txPackets - s0.data.txPackets), RxPackets: int64(s1.ack.rxPackets - s0.ack.rxPackets),
		SocketDrops:    s1.rcvbufErrs - s0.rcvbufErrs,
		SamplesTraffic: n.traffic, SamplesKsoftirqd: n.ksoftirqd, SamplesIdle: n.idle, SamplesOther: n.other,
		Regime: Regime(n.traffic, n.ksoftirqd), BusyCycles: w.busyCycles(o, ghz)}, nil
}
