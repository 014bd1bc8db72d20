package workload

import (
	"math"

	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// pacedWriter is iperf3 -b for one TCP stream (iperf_check_throttle): the
// sender writes a block of the stream's write size whenever the bytes it
// has written since the connection was established are at most the
// target rate times the time since (the first block at once), so its
// average holds the rate and a sender that fell behind catches up in a
// burst. A write blocks while the socket holds sndBuf bytes or more not
// yet acknowledged (sk_stream_wait_memory) and resumes when ACKs have
// freed a third of it (sk_stream_write_space: free space at least half
// of what is queued). Otherwise the next block is due when the target
// reaches what was written (iperf3's 1 ms pacing timer is not modelled:
// at most a millisecond's jitter in when a block goes). Its wake-ups are
// paid (tcp.Endpoint.WriterWoke, WriterSlept): from the send buffer, and
// from each sleep until a block is due, with the sleep's call.
type pacedWriter struct {
	m      *meter
	ep     *tcp.Endpoint
	t0     sim.Time
	perT   float64 // bytes per sim.Time unit at the target rate
	parked bool    // blocked on the send buffer, waiting for ACKs
	block  int64
	sndBuf int64
}

// pace returns the pacer of ep's writes of block bytes at the workload's
// rate, blocking at its socket send buffer; it starts with p.start.
func (m *meter) pace(ep *tcp.Endpoint, block int64) *pacedWriter {
	w := &m.cfg.Workload
	p := &pacedWriter{m: m, ep: ep, block: block, sndBuf: w.HTTP.SndBuf,
		perT: w.RateMbps * 1e6 / 8 / float64(sim.Second)}
	ep.OnAcked = p.acked
	return p
}

// acked wakes a parked writer once the socket is writable again.
func (p *pacedWriter) acked(at sim.Time, total int64) {
	if p.parked && 3*(p.ep.Written()-total) <= 2*p.sndBuf && at <= p.m.cfg.Duration {
		p.parked = false
		p.ep.WriterWoke()
		p.m.e.Schedule(max(at, p.m.e.Now()), p, 0)
	}
}

// start begins pacing at the connection's establishment.
func (p *pacedWriter) start(at sim.Time) {
	p.t0 = at
	p.m.e.Schedule(at, p, 0)
}

func (p *pacedWriter) Handle(e *sim.Engine, _ uint64) {
	now := e.Now()
	target := int64(p.perT * float64(now-p.t0))
	for p.ep.Written() <= target {
		if p.ep.Written()-p.ep.Acked() >= p.sndBuf {
			p.parked = true
			return
		}
		p.ep.Write(now, p.block)
	}
	// the next block is due when the target reaches what was written:
	// the writer sleeps until then
	next := p.t0 + sim.Time(math.Ceil(float64(p.ep.Written())/p.perT))
	next = max(next, now+1)
	if next <= p.m.cfg.Duration {
		p.ep.WriterSlept()
		e.Schedule(next, p, 0)
	}
}
