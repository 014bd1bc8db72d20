package testbed

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// MeasurementsFile is the raw measurements of a run in its --out DIR.
const MeasurementsFile = "measurements.json"

// Run is what `testbed run` wrote: the machine and one Measurement per
// configuration that was built (skipped ones say why).
type Run struct {
	Command  string  `json:"command"`
	Date     string  `json:"date"` // UTC, RFC 3339
	Kernel   string  `json:"kernel"`
	CPUModel string  `json:"cpu_model"`
	CPUGHz   float64 `json:"cpu_ghz"`
	GHzFrom  string  `json:"cpu_ghz_source"`
	CPU      int     `json:"cpu"` // the one CPU traffic ran on and perf recorded
	Perf     string  `json:"perf_version"`
	Loadavg  string  `json:"loadavg"`
	// RuleChain is the chain the policy rules sat in (PolicyChain, jumped
	// to for packets to the server pod); "" in runs recorded before, whose
	// rules sat in FORWARD itself, walked by the server's replies too.
	RuleChain string        `json:"rule_chain,omitempty"`
	Configs   []Measurement `json:"configs"`
	Skipped   []Skip        `json:"skipped,omitempty"`
}

// Skip is a configuration that could not be built or measured.
type Skip struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Device is one device of a topology with its offload flags.
type Device struct {
	NS         string   `json:"ns"`
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`
	MTU        int      `json:"mtu"`
	Addrs      []string `json:"addrs,omitempty"`
	GSOMaxSegs uint32   `json:"gso_max_segs"`
	TSO        string   `json:"tso"` // on | off | ? (ethtool ETHTOOL_GTSO)
	GSO        string   `json:"gso"`
	GRO        string   `json:"gro"`
}

// Measurement is one configuration's stream window (counters and perf)
// and its TCP_RR run.
type Measurement struct {
	Config  Config   `json:"config"`
	Devices []Device `json:"devices"`
	Notes   []string `json:"notes,omitempty"`
	// The stream window.
	Script       string  `json:"script"` // perf script file (gzip), relative to the run directory
	PacingMbps   float64 `json:"pacing_mbps"`
	WindowS      float64 `json:"window_s"`
	DataPackets  int64   `json:"data_packets"`  // tx_packets of the sender pod's device
	DataBytes    int64   `json:"data_bytes"`    // tx_bytes of the same
	AckPackets   int64   `json:"ack_packets"`   // tx_packets of the receiver pod's device: pure ACKs
	PayloadBytes int64   `json:"payload_bytes"` // read by the server
	// The application over the window: the client's write calls, the
	// server's read calls, and both threads' wake-ups (voluntary context
	// switches). 0 in runs recorded before they were counted: the
	// calibration then assumes one of each per data packet.
	Writes  int64 `json:"writes,omitempty"`
	Reads   int64 `json:"reads,omitempty"`
	Wakeups int64 `json:"wakeups,omitempty"`
	// Samples of the recorded CPU in the window by comm: the traffic
	// (this process's threads), ksoftirqd of the CPU, idle, others.
	SamplesTraffic   int      `json:"samples_traffic"`
	SamplesKsoftirqd int      `json:"samples_ksoftirqd"`
	SamplesIdle      int      `json:"samples_idle"`
	SamplesOther     int      `json:"samples_other"`
	PeriodNS         int      `json:"period_ns"`
	Regime           string   `json:"regime"`         // inline | mixed | ksoftirqd (Regime)
	BusyCycles       float64  `json:"busy_cycles"`    // traffic + ksoftirqd samples x period x GHz
	CPUBusyFrac      float64  `json:"cpu_busy"`       // /proc/stat of the CPU: busy / all jiffies over the window (all processes)
	Comms            []string `json:"comms"`          // the comms whose samples are the traffic's
	CPUs             []int    `json:"cpus,omitempty"` // the CPUs recorded (a -2cpu configuration; absent: the run's CPU)
	// TCP_RR with 1-byte messages.
	RRTransactions int64   `json:"rr_transactions"`
	RRSeconds      float64 `json:"rr_seconds"`
	RRCPU
	Attempts int `json:"attempts"` // windows taken until the inline regime (or the last)
	// UDP is the UDP stream window and UDP_RR run (absent in runs made
	// before they were measured).
	UDP *UDP `json:"udp,omitempty"`
	// Loadavg is /proc/loadavg's first three fields when the
	// configuration's measurement started (other jobs on a shared VM).
	Loadavg string `json:"loadavg,omitempty"`
	// RepCPP are the cycles per data packet of every repetition's window
	// in the order taken; the measurement is the median one.
	RepCPP []float64 `json:"rep_cpp"`
	// RepOther is each repetition's share of the recorded CPU's samples
	// taken by other processes (other jobs on the shared VM): a window
	// that shared its core has a colder cache, a cause of bimodal costs.
	RepOther []float64 `json:"rep_other_share"`
}

// UDP is one configuration's UDP stream window (one datagram of the pod
// MTU's payload per send call, paced like the TCP stream, perf recorded
// as its window) and its UDP_RR run.
type UDP struct {
	Script       string  `json:"script"` // perf script file (gzip), relative to the run directory
	PacingMbps   float64 `json:"pacing_mbps"`
	DatagramSize int     `json:"datagram_bytes"` // payload per datagram
	WindowS      float64 `json:"window_s"`
	Sent         int64   `json:"sent"`       // datagrams the client's send calls accepted
	Received     int64   `json:"received"`   // datagrams the server read
	TxPackets    int64   `json:"tx_packets"` // the sender pod's device
	RxPackets    int64   `json:"rx_packets"` // the receiver pod's device
	// SocketDrops are the receiver namespace's UDP RcvbufErrors: datagrams
	// the server's socket buffer had no room for (on one core the server
	// runs only when the sender yields, so its buffer fills).
	SocketDrops int64 `json:"socket_drops"`
	// Samples of the recorded CPU in the window, as the TCP stream's.
	SamplesTraffic   int     `json:"samples_traffic"`
	SamplesKsoftirqd int     `json:"samples_ksoftirqd"`
	SamplesIdle      int     `json:"samples_idle"`
	SamplesOther     int     `json:"samples_other"`
	Regime           string  `json:"regime"`
	BusyCycles       float64 `json:"busy_cycles"`
	Attempts         int     `json:"attempts"`
	// UDP_RR with 1-byte messages; Lost counts requests resent after
	// 100 ms without a response.
	RRTransactions int64   `json:"rr_transactions"`
	RRSeconds      float64 `json:"rr_seconds"`
	RRLost         int64   `json:"rr_lost"`
	RRCPU
}

// RRCPU is the recorded CPU's samples over an RR run (absent in runs
// made before they were recorded): the traffic's busy cycles (its
// threads and ksoftirqd), and the samples of idle and of other processes.
// With everything on one CPU and one transaction at a time, the busy
// cycles per transaction are the transaction's time on a CPU nothing else
// runs on.
type RRCPU struct {
	RRScript       string  `json:"rr_script,omitempty"` // perf script of the run (gzip), relative to the run directory
	RRBusyCycles   float64 `json:"rr_busy_cycles,omitempty"`
	RRSamplesIdle  int     `json:"rr_samples_idle,omitempty"`
	RRSamplesOther int     `json:"rr_samples_other,omitempty"`
	// RRIdleUnsampledS is the recorded CPUs' idle and steal time
	// (/proc/stat) over the run that no idle sample covers: a vCPU halted
	// while idle, whose cpu-clock timer did not run (host 3, an Intel Xeon
	// VM: 12-39% of a 0.5 s RR run), or taken by the host (steal: 23% of a
	// UDP_RR run there while CI ran on the other vCPU). Short busy bursts
	// between halts lose samples too (calibration/perf/testdata/perf/
	// README.md, "Idle that perf does not sample"), so where it is large
	// RRBusyCycles is a lower bound.
	RRIdleUnsampledS float64 `json:"rr_idle_unsampled_s,omitempty"`
	// RRWakeups is the context switches, voluntary and not, of the
	// client's and the server's threads over the run (TCP_RR; 0 where
	// not recorded): two per transaction on one CPU (flow.switches), what
	// the simulator charges as two wake-ups of a blocked reader.
	RRWakeups int64 `json:"rr_wakeups,omitempty"`
}

// RRCPUUS is the busy CPU time per transaction in microseconds at ghz (0
// when not recorded).
func (c RRCPU) RRCPUUS(ghz float64, transactions int64) float64 {
	if c.RRBusyCycles <= 0 || transactions <= 0 || !(ghz > 0) {
		return 0
	}
	return c.RRBusyCycles / float64(transactions) / (ghz * 1e3)
}

// SentPerS and ReceivedPerS are datagrams per second over the window.
func (u *UDP) SentPerS() float64     { return rate(u.Sent, u.WindowS) }
func (u *UDP) ReceivedPerS() float64 { return rate(u.Received, u.WindowS) }

// Loss is the fraction of the datagrams sent that the server did not
// read in the window (negative when datagrams in flight at the window's
// start arrive inside it; a few in a window of tens of thousands).
func (u *UDP) Loss() float64 {
	if u.Sent <= 0 {
		return 0
	}
	return 1 - float64(u.Received)/float64(u.Sent)
}

// CyclesPerDatagram is the busy cycles per datagram the sender's device
// sent.
func (u *UDP) CyclesPerDatagram() float64 {
	if u.TxPackets <= 0 {
		return 0
	}
	return u.BusyCycles / float64(u.TxPackets)
}

// RRLatencyUS is the mean UDP_RR round trip: 1 / transactions per second.
func (u *UDP) RRLatencyUS() float64 {
	if u.RRTransactions <= 0 {
		return 0
	}
	return u.RRSeconds / float64(u.RRTransactions) * 1e6
}

func rate(n int64, s float64) float64 {
	if s <= 0 {
		return 0
	}
	return float64(n) / s
}

// CPP is the measured busy cycles per data packet.
func (m *Measurement) CPP() float64 {
	if m.DataPackets <= 0 {
		return 0
	}
	return m.BusyCycles / float64(m.DataPackets)
}

// OneCoreMbps is the payload throughput one core would carry at the
// measured cost: payload bits per busy CPU-second.
func (m *Measurement) OneCoreMbps(ghz float64) float64 {
	if m.BusyCycles <= 0 {
		return 0
	}
	return float64(m.PayloadBytes) * 8 / (m.BusyCycles / (ghz * 1e9)) / 1e6
}

// RRLatencyUS is the mean TCP_RR round trip: 1 / transactions per second.
func (m *Measurement) RRLatencyUS() float64 {
	if m.RRTransactions <= 0 {
		return 0
	}
	return m.RRSeconds / float64(m.RRTransactions) * 1e6
}

// Regime classifies a window by where the path's softirqs ran (capture.sh
// regime): inline when ksoftirqd has < 2% of the traffic's busy samples,
// ksoftirqd above 10%, mixed between. On this VM the ksoftirqd regime
// costs about 3x the cycles per packet.
func Regime(traffic, ksoftirqd int) string {
	r := float64(ksoftirqd) / (float64(traffic+ksoftirqd) + 1e-9)
	switch {
	case r < 0.02:
		return "inline"
	case r > 0.10:
		return "ksoftirqd"
	}
	return "mixed"
}

// Save writes the run as DIR/measurements.json (whole or not at all).
func (r *Run) Save(dir string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return writeWhole(filepath.Join(dir, MeasurementsFile), append(b, '\n'))
}

// writeWhole writes path whole or not at all: a temporary file beside it,
// renamed into place, so a failed run leaves no half-written record.
func writeWhole(path string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// Load reads DIR/measurements.json and checks it.
func Load(dir string) (*Run, error) {
	p := filepath.Join(dir, MeasurementsFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return Parse(p, b)
}

// Parse reads a measurements.json's bytes (name says where they come
// from, for errors) and checks them.
func Parse(name string, b []byte) (*Run, error) {
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return &r, nil
}

func (r *Run) check() error {
	var errs []error
	if !(r.CPUGHz > 0) {
		errs = append(errs, fmt.Errorf("cpu_ghz must be > 0, got %v", r.CPUGHz))
	}
	seen := map[string]bool{}
	for i, m := range r.Configs {
		c, err := ParseConfig(m.Config.Name)
		if err != nil {
			errs = append(errs, fmt.Errorf("configs[%d]: %w", i, err))
			continue
		}
		if seen[c.Name] {
			errs = append(errs, fmt.Errorf("configs[%d]: %s measured twice", i, c.Name))
		}
		seen[c.Name] = true
		// What was built (family, rules, offloads, tunnel MTU) must be
		// what the name says; how it is modelled (engine label, graph,
		// unmodelled reason) is today's reading of the name, so a run
		// recorded before a mapping changed (the bridge's engine, once
		// br_netfilter, the bare vxlan family left unmodelled) still loads.
		rec := m.Config
		if rec.Family != c.Family || rec.Rules != c.Rules || rec.Offload != c.Offload || rec.MTU != c.MTU || rec.CPUs != c.CPUs ||
			(rec.Engine != c.Engine && !(rec.Engine == legacyBrNetfilter && c.Family == "bridge")) {
			errs = append(errs, fmt.Errorf("configs[%d] (%s): config fields differ from the name's %+v", i, c.Name, c))
		}
		r.Configs[i].Config = c
		if m.DataPackets <= 0 || m.BusyCycles <= 0 || m.PayloadBytes < 0 || m.AckPackets < 0 {
			errs = append(errs, fmt.Errorf("configs[%d] (%s): data_packets and busy_cycles must be > 0, payload_bytes and ack_packets >= 0", i, c.Name))
		}
		if u := m.UDP; u != nil && (u.Sent < 0 || u.Received < 0 || u.TxPackets < 0 || u.RxPackets < 0 || u.SocketDrops < 0 || u.BusyCycles < 0 || u.WindowS < 0 || u.RRTransactions < 0 || u.RRSeconds < 0) {
			errs = append(errs, fmt.Errorf("configs[%d] (%s): udp counters, window and cycles must be >= 0", i, c.Name))
		}
	}
	return errors.Join(errs...)
}

// Measurement returns the named configuration's measurement.
func (r *Run) Measurement(name string) (*Measurement, bool) {
	i := slices.IndexFunc(r.Configs, func(m Measurement) bool { return m.Config.Name == name })
	if i < 0 {
		return nil, false
	}
	return &r.Configs[i], true
}

// medianWindow returns the window of median cycles per packet (the lower
// middle one of an even count).
func medianWindow(ws []*Measurement) *Measurement {
	s := slices.Clone(ws)
	slices.SortStableFunc(s, func(a, b *Measurement) int {
		switch {
		case a.CPP() < b.CPP():
			return -1
		case a.CPP() > b.CPP():
			return 1
		}
		return 0
	})
	return s[(len(s)-1)/2]
}

// Spread is the repetitions' (max - min) / median cycles per packet, %.
func (m *Measurement) Spread() float64 {
	if len(m.RepCPP) < 2 {
		return 0
	}
	lo, hi := slices.Min(m.RepCPP), slices.Max(m.RepCPP)
	s := slices.Sorted(slices.Values(m.RepCPP))
	return 100 * (hi - lo) / s[(len(s)-1)/2]
}
