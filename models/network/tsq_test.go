package network

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/sim"
)

// With Config.TSQThroughFabric a route's queued bytes are its packets
// neither delivered nor dropped: an incast through a switch port keeps
// them queued long after they have left their NICs, where without the
// option they count only until then; the drops release theirs, and a
// throttled sender is woken by the delivery or drop that drains it, not
// when its NIC is done (conservation: at every sampled instant the
// queued bytes are the sent, less the delivered and dropped, packets'
// bytes).
func TestTSQThroughFabric(t *testing.T) {
	const ip, k, senders = 1500, 10, 3
	run := func(through bool) (woke, nicDone sim.Time, queuedAfterNIC int64, dropped uint64) {
		c := fabricConfig(FabricSwitch, senders+1)
		c.Fabric.BufferBytes = 6 * (ip + 38) // shared: the incast drops (others' frames)
		c.TSQThroughFabric = through
		e, n := newNet(t, c)
		var rs []*Route
		for s := 0; s < senders; s++ {
			r, _ := route(t, n, datapathtest.HostPath(1), s, senders, uint64(s+1))
			rs = append(rs, r)
		}
		r := rs[0]
		woke = -1
		r.SetTxWaker(sim.HandlerFunc(func(e *sim.Engine, _ uint64) {
			r.Unthrottle()
			woke = e.Now()
		}), 0)
		burst(n, rs, k, ip)
		if through {
			r.Throttle(0, 0)
		}
		nicDone = sim.Time(float64(k*(ip+38))*8000/c.LinkGbps + 0.5)
		queuedAfterNIC = -1
		for at := sim.Time(0); at < 100*sim.Microsecond; at += 100 * sim.Nanosecond {
			e.RunUntil(at)
			for i, r := range rs {
				sent, delivered, drops := r.Counts()
				if got := r.TxQueued(at); through && got != int64(sent-delivered-drops)*ip {
					t.Fatalf("route %d at %v: queued %d bytes, want %d (sent %d, delivered %d, dropped %d)", i, at, got, int64(sent-delivered-drops)*ip, sent, delivered, drops)
				}
			}
			sent, delivered, drops := r.Counts()
			if queuedAfterNIC < 0 && at > nicDone+sim.Microsecond {
				queuedAfterNIC = r.TxQueued(at)
				if delivered+drops == sent {
					t.Fatalf("%v: every packet delivered or dropped a microsecond after the NIC: the fabric holds none", at)
				}
			}
		}
		if err := n.Conservation(); err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			_, _, d := r.Counts()
			dropped += d
		}
		return woke, nicDone, queuedAfterNIC, dropped
	}
	if _, _, q, _ := run(false); q != 0 {
		t.Errorf("without: %d bytes queued after the NIC is done, want 0", q)
	}
	woke, nicDone, q, dropped := run(true)
	if dropped == 0 {
		t.Fatal("the incast dropped nothing: the test proves no release by drops")
	}
	if q <= 0 {
		t.Errorf("through the fabric: %d bytes queued after the NIC is done, want those in the switch", q)
	}
	if woke <= nicDone+sim.Microsecond {
		t.Errorf("through the fabric: the throttled sender woken at %v, want after its packets left the switch (NIC done %v)", woke, nicDone)
	}
}
