package clockprobe

import (
	"slices"
	"time"
)

// Options says how to measure: for how long, in slices of what length,
// on which CPU (-1: wherever the scheduler puts the thread) and whether
// under SCHED_IDLE (only the CPU's idle time, as capture.sh's idler runs
// beside a capture); with Reference, every slice of the probe is followed
// by a slice of the reference workload (Reference).
type Options struct {
	Duration  time.Duration
	Slice     time.Duration
	CPU       int
	Idle      bool
	Reference bool
}

// Result is a measurement: the clock over the whole run and per slice.
type Result struct {
	GHz    float64   `json:"ghz"`     // all steps x CyclesPerStep / all run time
	Steps  uint64    `json:"steps"`   // multiply-add steps run
	RunNs  float64   `json:"run_ns"`  // the thread's CPU time
	WallNs float64   `json:"wall_ns"` // wall time
	Slices []float64 `json:"slices"`  // the clock of each slice with at least 1 ms of run time, in order

	// With Options.Reference: the reference workload's round trips, the
	// thread CPU time they took, and ns per round trip.
	RefTrips     uint64  `json:"ref_trips,omitempty"`
	RefRunNs     float64 `json:"ref_run_ns,omitempty"`
	RefNsPerTrip float64 `json:"ref_ns_per_trip,omitempty"`
}

// Quantile is the q-quantile (0..1) of the per-slice clocks (nearest
// rank), or 0 without slices.
func (r Result) Quantile(q float64) float64 {
	if len(r.Slices) == 0 {
		return 0
	}
	s := slices.Clone(r.Slices)
	slices.Sort(s)
	i := int(q*float64(len(s)-1) + 0.5)
	return s[min(max(i, 0), len(s)-1)]
}

// slicer turns per-slice counts into a Result; it is what Measure does
// around the probe, apart from the clock reads, so that tests can drive it.
type slicer struct {
	r Result
}

// add records one slice: steps run in runNs of CPU time over wallNs.
func (s *slicer) add(steps uint64, runNs, wallNs float64) {
	s.r.Steps += steps
	s.r.RunNs += runNs
	s.r.WallNs += wallNs
	if runNs >= 1e6 {
		s.r.Slices = append(s.r.Slices, GHz(steps, runNs))
	}
}

// addReference records a slice of the reference workload.
func (s *slicer) addReference(trips uint64, runNs float64) {
	s.r.RefTrips += trips
	s.r.RefRunNs += runNs
}

func (s *slicer) result() Result {
	s.r.GHz = GHz(s.r.Steps, s.r.RunNs)
	if s.r.RefTrips > 0 {
		s.r.RefNsPerTrip = s.r.RefRunNs / float64(s.r.RefTrips)
	}
	return s.r
}
