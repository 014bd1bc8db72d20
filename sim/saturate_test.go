package sim_test

import (
	"math"
	"testing"
	"time"

	"github.com/cnisim/cnisim/sim"
)

// Conversions saturate at ±sim.Never instead of wrapping to a time in the
// past (issue 19: duration=18446744173709552ns simulated 100 ms).
func TestConversionsSaturate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		got, want sim.Time
	}{
		{"duration past int64 ps", sim.FromDuration(18446744173709552 * time.Nanosecond), sim.Never},
		{"negative duration past int64 ps", sim.FromDuration(-18446744173709552 * time.Nanosecond), -sim.Never},
		{"max duration", sim.FromDuration(math.MaxInt64), sim.Never},
		{"duration in range", sim.FromDuration(time.Hour), 3600 * sim.Second},
		{"seconds past int64 ps", sim.FromSeconds(1e300), sim.Never},
		{"negative seconds", sim.FromSeconds(-1e300), -sim.Never},
		{"seconds NaN", sim.FromSeconds(math.NaN()), sim.Never},
		{"cycles at 1e-300 GHz", sim.Cycles(1000, 1e-300), sim.Never},
		{"2.3e16 cycles", sim.Cycles(2.3e16, 2.4), sim.Never},
		{"cycles at 0 GHz", sim.Cycles(1, 0), sim.Never},
		{"cycles in range", sim.Cycles(2400, 2.4), 1000 * sim.Nanosecond},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, c.got, c.want)
		}
	}
}
