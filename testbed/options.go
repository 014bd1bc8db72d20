package testbed

import (
	"io"
	"strings"
	"time"
)

// Options of a run.
type Options struct {
	Configs    []Config
	Out        string        // directory for measurements.json and the perf scripts
	CPU        int           // the CPU traffic and perf use; -1: the last CPU
	Warmup     time.Duration // traffic before the window
	Window     time.Duration // the recorded window
	RR         time.Duration // TCP_RR run (and UDP_RR's)
	UDP        bool          // also a UDP stream window and a UDP_RR run per configuration
	UDPWarmup  time.Duration // UDP stream before its window
	UDPWindow  time.Duration // the UDP stream's recorded window
	PacingMbps float64       // stream payload rate (0: unpaced)
	Reps       int           // stream windows per configuration, odd; the median one is kept (with 4, the lower middle one was: run3 read 7-18% low)
	Tries      int           // attempts per window until the inline regime
	PeriodNS   int           // cpu-clock sampling period
	CC         string        // TCP congestion control of the sockets
	Timeout    time.Duration // bound of the whole run
	Command    string        // the command line, for provenance
	Log        io.Writer     // progress
	cpus       []int         // the CPUs perf records for the configuration measured (nil: CPU)
}

// recorded is the CPUs perf records: CPU, or both CPUs of a two-CPU
// configuration.
func (o Options) recorded() []int {
	if len(o.cpus) > 0 {
		return o.cpus
	}
	return []int{o.CPU}
}

// DefaultOptions are the full run's: every configuration (AllConfigs),
// 5 TCP stream windows of 3 s (the median kept), one UDP window of 2 s,
// 1 s of TCP_RR and of UDP_RR: 12 minutes for the 24 configurations this
// kernel builds (run9), under the 15 on 2 vCPUs; quick shortens them (1 s windows, 2 tries, QuickConfigs). They are the
// one copy of the testbed's defaults: `cnisim testbed run` takes its flag
// defaults and help from them.
func DefaultOptions(quick bool) Options {
	o := Options{Configs: mustParse(AllConfigs), CPU: -1, Warmup: time.Second, Window: 3 * time.Second, RR: time.Second,
		PacingMbps: 400, UDP: true, UDPWarmup: 500 * time.Millisecond, UDPWindow: 2 * time.Second, Reps: 5, Tries: 5, PeriodNS: 250000, CC: "cubic", Timeout: 15 * time.Minute, Log: io.Discard}
	if quick {
		o.Configs = mustParse(QuickConfigs)
		o.Warmup, o.Window, o.RR, o.Reps, o.Tries, o.Timeout = 500*time.Millisecond, time.Second, 500*time.Millisecond, 1, 2, 60*time.Second
		o.UDPWindow = time.Second
	}
	return o
}

// mustParse parses a built-in list of configuration names (a test keeps
// them valid).
func mustParse(names []string) []Config {
	cs, err := ParseConfigs(strings.Join(names, ","))
	if err != nil {
		panic(err)
	}
	return cs
}
