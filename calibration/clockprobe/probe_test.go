package clockprobe

import (
	"fmt"
	"math"
	"testing"
)

// TestSlicer: the whole run's clock is all steps over all run time (not
// the mean of the slices), slices with under 1 ms of run time (a thread
// that SCHED_IDLE barely ran) count in the totals but give no slice clock.
func TestSlicer(t *testing.T) {
	tests := []struct {
		name      string
		slices    [][3]float64 // steps, run ns, wall ns
		ghz       float64
		perSlice  []float64
		median    float64
		runNs     float64
		wallNs    float64
		stepTotal uint64
	}{
		{"one slice", [][3]float64{{500e6, 1e9, 1e9}}, 2, []float64{2}, 2, 1e9, 1e9, 500e6},
		{"two clocks", [][3]float64{{250e6, 0.5e9, 0.5e9}, {375e6, 0.5e9, 0.5e9}}, 2.5, []float64{2, 3}, 3, 1e9, 1e9, 625e6},
		{"idle slice", [][3]float64{{100, 500e3, 100e6}, {250e6, 0.5e9, 0.5e9}}, 4 * (250e6 + 100) / 500.5e6, []float64{2}, 2, 500.5e6, 600e6, 250e6 + 100},
		{"nothing ran", [][3]float64{{0, 0, 100e6}}, 0, nil, 0, 0, 100e6, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s slicer
			for _, sl := range tt.slices {
				s.add(uint64(sl[0]), sl[1], sl[2])
			}
			r := s.result()
			if math.Abs(r.GHz-tt.ghz) > 1e-12 || r.Steps != tt.stepTotal || r.RunNs != tt.runNs || r.WallNs != tt.wallNs {
				t.Errorf("got %+v, want %v GHz, %d steps, %v run ns, %v wall ns", r, tt.ghz, tt.stepTotal, tt.runNs, tt.wallNs)
			}
			if fmt.Sprint(r.Slices) != fmt.Sprint(tt.perSlice) || r.Quantile(0.5) != tt.median {
				t.Errorf("slices %v (median %v), want %v (median %v)", r.Slices, r.Quantile(0.5), tt.perSlice, tt.median)
			}
		})
	}
}

func TestQuantile(t *testing.T) {
	r := Result{Slices: []float64{3, 1, 2, 5, 4}}
	for q, want := range map[float64]float64{0: 1, 0.5: 3, 1: 5, 0.25: 2} {
		if got := r.Quantile(q); got != want {
			t.Errorf("Quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if r.Slices[0] != 3 {
		t.Error("Quantile sorted the slices in place")
	}
}

func ExampleGHz() {
	// 550 million steps of 4 cycles in one second of run time.
	fmt.Printf("%.1f GHz\n", GHz(550_000_000, 1e9))
	// Output: 2.2 GHz
}
