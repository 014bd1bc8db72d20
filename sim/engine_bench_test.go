package sim

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"testing"
)

// holdModel is the classic hold benchmark (Vaucher & Duval 1975; Jones
// 1986): every event reschedules itself at now + Exp(mean), so the number of
// pending events stays constant and the queue, not the model, is timed.
type holdModel struct {
	rng    *rand.Rand
	mean   float64 // picoseconds
	left   int     // events still to execute before Stop
	checks uint64  // sum of args, so the handler's work is not dead code
}

func (m *holdModel) Handle(e *Engine, arg uint64) {
	m.checks += arg
	m.left--
	if m.left <= 0 {
		e.Stop()
	}
	e.After(Time(m.rng.ExpFloat64()*m.mean), m, arg)
}

// BenchmarkHoldModel reports events/s (wall clock) and events/cpu-s (the
// benchmark thread's CPU time, steadier on a shared machine). Run with
//
//	go test ./sim -run '^$' -bench HoldModel -count=3
func BenchmarkHoldModel(b *testing.B) {
	for _, pending := range []int{8, 48, 1000, 100000} {
		b.Run("pending="+strconv.Itoa(pending), func(b *testing.B) {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			e := NewEngine()
			m := &holdModel{rng: rand.New(rand.NewPCG(1, 2)), mean: float64(Microsecond)}
			for i := range pending {
				e.After(Time(m.rng.ExpFloat64()*m.mean), m, uint64(i))
			}
			// Warm up: reach the steady-state spread of pending times and
			// let the queue's arena grow to its final size.
			m.left = 10 * pending
			e.Run()
			m.left = b.N
			b.ReportAllocs()
			cpu0, cpuOK := threadCPU()
			b.ResetTimer()
			e.Run()
			b.StopTimer()
			cpu1, _ := threadCPU()
			if e.Pending() != pending {
				b.Fatalf("pending = %d, want %d", e.Pending(), pending)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			if cpuOK && cpu1 > cpu0 {
				b.ReportMetric(float64(b.N)/(cpu1-cpu0)*1e9, "events/cpu-s")
			}
		})
	}
}
