package tcp

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// TestBulkLineRate: with cheap stages a single stream fills the link:
// goodput >= 97% of R x MSS / (MTU + 38) (DESIGN 2, "Hosts, cores, links").
func TestBulkLineRate(t *testing.T) {
	t.Parallel()
	for _, mtu := range []int{1500, 9000} {
		cfg := network.DefaultConfig()
		cfg.MTU = mtu
		r := newRig(t, cfg, hostPath(1), mtu, Options{})
		r.c.Connect(0)
		r.c.Client.Write(0, math.MaxInt64/2)
		var atEst sim.Time
		r.c.Client.OnEstablished = func(at sim.Time) { atEst = at }
		end := 500 * sim.Millisecond
		r.e.RunUntil(end)
		got := float64(r.c.Server.Received()) * 8 / (end - atEst).Seconds()
		want := cfg.LinkGbps * 1e9 * float64(mtu-52) / float64(mtu+38)
		t.Logf("mtu %d: %.3f Gbit/s of %.3f (%.1f%%), cwnd %.1f, srtt %v, retx %d, drops %+v, events %d",
			mtu, got/1e9, want/1e9, 100*got/want, r.c.Client.Cwnd(), r.c.Client.SRTT(), r.c.Client.Stats.Retrans, r.n.Stats(), r.e.Executed())
		if got < 0.97*want {
			t.Errorf("mtu %d: goodput %.3f Gbit/s < 97%% of %.3f", mtu, got/1e9, want/1e9)
		}
		if got > want*1.0001 {
			t.Errorf("mtu %d: goodput %.3f Gbit/s exceeds the wire limit %.3f", mtu, got/1e9, want/1e9)
		}
		r.conserve(t)
	}
}
