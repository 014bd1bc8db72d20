package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/cnisim/cnisim/calibration/clockprobe"
)

const calibrateClockSynopsis = "calibrate clock [--cpu N] [--seconds S] [--idle] [--reference] [--format table|json]"

// maxClockSeconds bounds --seconds: the probe holds a CPU for that long.
const maxClockSeconds = 3600

// runCalibrateClock measures the clock a CPU runs a thread at, the
// frequency calibrate perf's --cpu-ghz needs to turn cpu-clock
// nanoseconds into cycles (calibration/clockprobe). With --idle it runs
// under SCHED_IDLE beside a capture on the recorded CPU, taking only its
// idle time and keeping the vCPU from halting, as capture.sh's idler does.
func runCalibrateClock(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calibrate clock", calibrateClockSynopsis, stderr)
	var cpu int
	var seconds float64
	var idle, reference bool
	var format string
	fs.IntVar(&cpu, "cpu", -1, "CPU to measure (-1: wherever the scheduler runs the probe)")
	fs.Float64Var(&seconds, "seconds", 3, fmt.Sprintf("how long to measure, in seconds (0 < S <= %d)", maxClockSeconds))
	fs.BoolVar(&idle, "idle", false, "run under SCHED_IDLE: only the CPU's idle time, beside a perf record of it")
	fs.BoolVar(&reference, "reference", false, "alternate the probe with the reference kernel workload (AF_UNIX datagram round trips) and report its ns per round trip: how fast the machine runs kernel work now")
	fs.StringVar(&format, "format", "table", "stdout format: table or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 0, 0, "no arguments"); err != nil {
		return err
	}
	switch {
	case !(seconds > 0 && seconds <= maxClockSeconds):
		return usagef("--seconds must be in (0, %d], got %v", maxClockSeconds, seconds)
	case cpu < -1 || cpu >= runtime.NumCPU():
		return usagef("--cpu must be -1 or a CPU of this machine (0..%d), got %d", runtime.NumCPU()-1, cpu)
	case format != "table" && format != "json":
		return usagef("--format must be table or json, got %q", format)
	}
	r, err := clockprobe.Measure(clockprobe.Options{Duration: time.Duration(seconds * float64(time.Second)),
		Slice: 100 * time.Millisecond, CPU: cpu, Idle: idle, Reference: reference})
	if err != nil {
		return err
	}
	if r.RunNs == 0 {
		return fmt.Errorf("the probe never ran in %.1f s (a CPU busy all the time, with --idle)", seconds)
	}
	if format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(stdout, "clock %.3f GHz: %d multiply-add steps of %d cycles in %.3f s of run time (%.3f s of wall time)\n",
		r.GHz, r.Steps, clockprobe.CyclesPerStep, r.RunNs/1e9, r.WallNs/1e9)
	if len(r.Slices) > 0 {
		fmt.Fprintf(stdout, "per 100 ms: min %.3f, median %.3f, max %.3f GHz over %d slices\n",
			r.Quantile(0), r.Quantile(0.5), r.Quantile(1), len(r.Slices))
	}
	if r.RefTrips > 0 {
		fmt.Fprintf(stdout, "reference %.1f ns per round trip: %d round trips of a %d-byte datagram through an AF_UNIX socket pair in %.3f s of run time\n",
			r.RefNsPerTrip, r.RefTrips, clockprobe.ReferenceDatagram, r.RefRunNs/1e9)
	}
	return nil
}
