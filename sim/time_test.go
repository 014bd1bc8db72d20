package sim_test

import (
	"testing"
	"time"

	"github.com/cnisim/cnisim/sim"
)

func TestTimeHelpers(t *testing.T) {
	t.Parallel()
	// DESIGN.md: a 45-cycle stage at 2.4 GHz lasts 18.75 ns, a 64-byte
	// frame at 100 Gbit/s 5.12 ns.
	if got := sim.Cycles(45, 2.4); got != 18750 {
		t.Errorf("Cycles(45, 2.4) = %d ps, want 18750", got)
	}
	if got := sim.FromSeconds(64 * 8 / 100e9); got != 5120 {
		t.Errorf("64 B at 100 Gbit/s = %d ps, want 5120", got)
	}
	if got := sim.Time(18750).ToCycles(2.4); got != 45 {
		t.Errorf("ToCycles = %v, want 45", got)
	}
	if got := sim.FromDuration(3 * time.Millisecond); got != 3*sim.Millisecond {
		t.Errorf("FromDuration(3ms) = %d", got)
	}
	for _, c := range []struct {
		t    sim.Time
		want string
	}{
		{0, "0s"},
		{50, "50ps"},
		{18750, "18ns+750ps"},
		{3 * sim.Millisecond, "3ms"},
	} {
		if got := c.t.String(); got != c.want {
			t.Errorf("Time(%d).String() = %q, want %q", int64(c.t), got, c.want)
		}
	}
}
