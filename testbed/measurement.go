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
	Command  string        `json:"command"`
	Date     string        `json:"date"` // UTC, RFC 3339
	Kernel   string        `json:"kernel"`
	CPUModel string        `json:"cpu_model"`
	CPUGHz   float64       `json:"cpu_ghz"`
	GHzFrom  string        `json:"cpu_ghz_source"`
	CPU      int           `json:"cpu"` // the one CPU traffic ran on and perf recorded
	Perf     string        `json:"perf_version"`
	Loadavg  string        `json:"loadavg"`
	Configs  []Measurement `json:"configs"`
	Skipped  []Skip        `json:"skipped,omitempty"`
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
	Regime           string   `json:"regime"`      // inline | mixed | ksoftirqd (Regime)
	BusyCycles       float64  `json:"busy_cycles"` // traffic + ksoftirqd samples x period x GHz
	CPUBusyFrac      float64  `json:"cpu_busy"`    // /proc/stat of the CPU: busy / all jiffies over the window (all processes)
	Comms            []string `json:"comms"`       // the comms whose samples are the traffic's
	// TCP_RR with 1-byte messages.
	RRTransactions int64   `json:"rr_transactions"`
	RRSeconds      float64 `json:"rr_seconds"`
	Attempts       int     `json:"attempts"` // windows taken until the inline regime (or the last)
	// RepCPP are the cycles per data packet of every repetition's window
	// in the order taken; the measurement is the median one.
	RepCPP []float64 `json:"rep_cpp"`
	// RepOther is each repetition's share of the recorded CPU's samples
	// taken by other processes (other jobs on the shared VM): a window
	// that shared its core has a colder cache, a cause of bimodal costs.
	RepOther []float64 `json:"rep_other_share"`
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
	tmp := filepath.Join(dir, "."+MeasurementsFile+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, MeasurementsFile))
}

// Load reads DIR/measurements.json and checks it.
func Load(dir string) (*Run, error) {
	p := filepath.Join(dir, MeasurementsFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var r Run
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if err := r.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
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
		if m.Config.Engine == "none" && c.Engine == brNetfilter {
			// Recorded before the bridge had an engine of its own
			// (config.go); the same configuration.
			r.Configs[i].Config.Engine, m.Config.Engine = c.Engine, c.Engine
		}
		if m.Config != c {
			errs = append(errs, fmt.Errorf("configs[%d] (%s): config fields differ from the name's %+v", i, c.Name, c))
		}
		if m.DataPackets <= 0 || m.BusyCycles <= 0 || m.PayloadBytes < 0 || m.AckPackets < 0 {
			errs = append(errs, fmt.Errorf("configs[%d] (%s): data_packets and busy_cycles must be > 0, payload_bytes and ack_packets >= 0", i, c.Name))
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
