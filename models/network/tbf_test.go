package network

import (
	"fmt"
	"testing"

	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/sim"
)

// A tbf link (Config.TBFBurstFrames) passes a frame as soon as its bucket
// holds the frame's bytes: a lone frame crosses every link of its path
// without its serialisation (the store-and-forward time less one frame
// time per link, at each link's rate), and of K frames sent back to back
// the last leaves when a store-and-forward link would start the
// (bucket-1)th before it, b frame times earlier than it would arrive
// there (closed forms).
func TestTBFLinks(t *testing.T) {
	const ip = 1500
	frame := float64(ip + 38)
	ser := func(gbps float64) sim.Time { return sim.Time(frame*8000/gbps + 0.5) }
	for _, tc := range []struct {
		name     string
		kind     FabricKind
		src, dst int
		saved    sim.Time // the serialisations a lone frame skips
	}{
		{"direct", FabricNone, 0, 1, ser(10)},
		{"switch", FabricSwitch, 0, 3, 2 * ser(10)},
		{"leaf-spine across spines", FabricLeafSpine, 0, 3, 2*ser(10) + 2*ser(25)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fabricConfig(tc.kind, 4)
			sf := oneTrip(t, c, tc.src, tc.dst, ip)
			c.TBFBurstFrames = 1
			if got := oneTrip(t, c, tc.src, tc.dst, ip); sf-got != tc.saved {
				t.Errorf("tbf %v, store-and-forward %v: saved %v, want %v", got, sf, sf-got, tc.saved)
			}
		})
	}
	const K = 20
	last := func(b int) sim.Time {
		c := DefaultConfig()
		c.TBFBurstFrames = b
		e, n := newNet(t, c)
		r, s := route(t, n, datapathtest.HostPath(1), 0, 1, 1)
		burst(n, []*Route{r}, K, ip)
		e.Run()
		if s.got != K {
			t.Fatalf("bucket %d: %d of %d delivered", b, s.got, K)
		}
		if err := n.Conservation(); err != nil {
			t.Fatal(err)
		}
		return s.last
	}
	sf := last(0)
	for _, b := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d back to back, bucket %d", K, b), func(t *testing.T) {
			if got := last(b); sf-got != sim.Time(b)*ser(10) {
				t.Errorf("the last frame %v earlier than store-and-forward's, want %d frame times (%v)", sf-got, b, sim.Time(b)*ser(10))
			}
		})
	}
}
