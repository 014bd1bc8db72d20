package network

import (
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
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

// podPath is HostPath with the sending node's IP stack between the
// sender and the NIC (a routed pod's veth into its node, which forwards).
func podPath() datapath.CostedPath {
	p := datapathtest.HostPath(1)
	stack := datapathtest.Step(datapath.IPRcv, datapath.Src, datapath.Softirq, 400, 0)
	p.Steps = append([]datapath.CostedStep{p.Steps[0], stack}, p.Steps[1:]...)
	return p
}

func TestOrphansSkb(t *testing.T) {
	intra := podPath()
	intra.InterHost = false
	dstOnly := datapathtest.HostPath(1)
	dstOnly.Steps = append(dstOnly.Steps, datapathtest.Step(datapath.IPRcv, datapath.Dst, datapath.Softirq, 400, 0))
	for _, tc := range []struct {
		name string
		path datapath.CostedPath
		want bool
	}{
		{"host-network socket", datapathtest.HostPath(1), false},
		{"pod through its node's stack", podPath(), true},
		{"an ip_rcv on the receiving node only", dstOnly, false},
		{"intra-host", intra, false},
	} {
		if got := orphansSkb(tc.path); got != tc.want {
			t.Errorf("%s: orphansSkb %v, want %v", tc.name, got, tc.want)
		}
	}
}

// With Config.TSQOrphan a pod's route (its node's IP stack on the way)
// counts its packets only until they reach the NIC queue: a burst larger
// than the link drains counts nothing once its last packet is queued,
// while a host-network route, and the pod's route without the option,
// count until each packet has been serialised (the closed form: the
// bytes whose serialisation has not ended). A throttled pod sender is
// woken when its packets have entered the queue, before the NIC is done.
func TestTSQOrphan(t *testing.T) {
	const ip, k = 1500, 20
	c := DefaultConfig()
	c.Nodes = 2
	frame := sim.Time(float64(ip+c.FrameOverhead)*8000/c.LinkGbps + 0.5)
	for _, tc := range []struct {
		name         string
		orphan, pod  bool
		countsTheNIC bool
	}{
		{"pod, orphaned", true, true, false},
		{"pod, without the option", false, true, true},
		{"host network, with the option", true, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := c
			c.TSQOrphan = tc.orphan
			e, n := newNet(t, c)
			path := datapathtest.HostPath(1)
			if tc.pod {
				path = podPath()
			}
			r, _ := route(t, n, path, 0, 1, 1)
			woke := sim.Time(-1)
			r.SetTxWaker(sim.HandlerFunc(func(e *sim.Engine, _ uint64) {
				r.Unthrottle()
				woke = e.Now()
			}), 0)
			burst(n, []*Route{r}, k, ip)
			r.Throttle(0, 0)
			var queuedStart sim.Time = -1 // when the last packet entered the NIC queue
			for at := sim.Time(0); at < sim.Time(k+2)*frame; at += 100 * sim.Nanosecond {
				e.RunUntil(at)
				got := r.TxQueued(at)
				if at == 0 && got != k*ip {
					t.Fatalf("at 0: %d bytes queued, want the burst's %d", got, k*ip)
				}
				if queuedStart < 0 && got < k*ip && n.Nodes[0].pending.len() == 0 && r.preNic == 0 {
					queuedStart = at
				}
				if r.preNic != 0 {
					continue
				}
				// every packet is in the NIC queue or gone: the closed form
				first := n.Nodes[0].NIC.BusyUntil() - sim.Time(k)*frame // the first frame's start
				unsent := int64(0)
				for i := 1; i <= k; i++ {
					if first+sim.Time(i)*frame > at {
						unsent += ip
					}
				}
				want := int64(0)
				if tc.countsTheNIC {
					want = unsent
				}
				if got != want {
					t.Fatalf("at %v: %d bytes queued, want %d (%d not yet serialised)", at, got, want, unsent)
				}
			}
			if queuedStart < 0 {
				t.Fatal("the burst never reached the NIC queue")
			}
			done := n.Nodes[0].NIC.BusyUntil()
			switch {
			case tc.countsTheNIC && woke != done:
				t.Errorf("throttled sender woken at %v, want when the NIC is done, %v", woke, done)
			case !tc.countsTheNIC && (woke < 0 || woke > queuedStart || woke >= done-frame):
				t.Errorf("throttled sender woken at %v, want once its packets are in the NIC queue (by %v), long before it is done (%v)", woke, queuedStart, done)
			}
		})
	}
}

func TestTSQOrphanRefusesThroughFabric(t *testing.T) {
	c := DefaultConfig()
	c.TSQOrphan, c.TSQThroughFabric = true, true
	if _, err := New(sim.NewEngine(), c); err == nil || !strings.Contains(err.Error(), "TSQOrphan") {
		t.Errorf("TSQOrphan with TSQThroughFabric: %v, want an error naming TSQOrphan", err)
	}
}
