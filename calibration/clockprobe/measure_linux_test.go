//go:build linux

package clockprobe

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMeasureHere: the probe on this machine gives a clock within a
// factor of three of /proc/cpuinfo's nominal MHz (a VM's vCPU runs
// turbo or throttled, not ten times off): a chain the compiler dropped,
// a unit mistaken (µs for ns) or a wrong cycles-per-step would not.
func TestMeasureHere(t *testing.T) {
	r, err := Measure(Options{Duration: 300 * time.Millisecond, Slice: 50 * time.Millisecond, CPU: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Slices) < 3 || r.RunNs < 100e6 || r.WallNs < 300e6 {
		t.Fatalf("%+v: want at least three slices and 100 ms of run time in 300 ms", r)
	}
	nominal := cpuinfoGHz(t)
	t.Logf("probe %.3f GHz (slices %.3f..%.3f), /proc/cpuinfo %.3f GHz", r.GHz, r.Quantile(0), r.Quantile(1), nominal)
	if !(r.GHz > nominal/3 && r.GHz < nominal*3) {
		t.Errorf("probe %.3f GHz, /proc/cpuinfo says %.3f", r.GHz, nominal)
	}
}

// TestMeasureReference: with the reference workload, half the run is
// round trips, each between 100 ns (two system calls and two copies of
// 1400 bytes cannot be faster on any machine) and 100 µs (a machine that
// slow could not run the datapaths it calibrates); without it, none.
func TestMeasureReference(t *testing.T) {
	r, err := Measure(Options{Duration: 200 * time.Millisecond, Slice: 20 * time.Millisecond, CPU: -1, Reference: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("probe %.3f GHz; reference %.1f ns per round trip (%d in %.3f s)", r.GHz, r.RefNsPerTrip, r.RefTrips, r.RefRunNs/1e9)
	if r.RefTrips == 0 || !(r.RefNsPerTrip > 100 && r.RefNsPerTrip < 100e3) {
		t.Errorf("%d round trips at %.1f ns each", r.RefTrips, r.RefNsPerTrip)
	}
	if r.RefRunNs < r.RunNs/4 || r.RefRunNs > 4*r.RunNs {
		t.Errorf("reference ran %.3f s against the probe's %.3f s: the slices do not alternate", r.RefRunNs/1e9, r.RunNs/1e9)
	}
	r, err = Measure(Options{Duration: 20 * time.Millisecond, Slice: 10 * time.Millisecond, CPU: -1})
	if err != nil {
		t.Fatal(err)
	}
	if r.RefTrips != 0 || r.RefNsPerTrip != 0 {
		t.Errorf("without Reference: %d round trips", r.RefTrips)
	}
}

func TestMeasureRejects(t *testing.T) {
	if _, err := Measure(Options{Duration: 0, Slice: time.Millisecond}); err == nil {
		t.Error("zero duration accepted")
	}
	if _, err := Measure(Options{Duration: time.Millisecond, Slice: time.Millisecond, CPU: 1 << 20}); err == nil {
		t.Error("a CPU that does not exist accepted")
	}
}

func cpuinfoGHz(t *testing.T) float64 {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "cpu MHz" {
			if mhz, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && mhz > 0 {
				return mhz / 1000
			}
		}
	}
	t.Skip("/proc/cpuinfo has no cpu MHz")
	return 0
}
