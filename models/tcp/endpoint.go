package tcp

import (
	"unsafe"

	"github.com/cnisim/cnisim/internal/prefetch"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// Connection states.
type State uint8

const (
	Closed State = iota
	Listen
	SynSent
	SynRcvd
	Established
	Failed
)

var stateNames = [...]string{"closed", "listen", "syn_sent", "syn_rcvd", "established", "failed",
	"fin_wait_1", "fin_wait_2", "closing", "close_wait", "last_ack", "time_wait"} // fin.go

func (s State) String() string { return stateNames[s] }

// MinPodMTU is the least pod MTU a connection accepts: IPv4's minimum link
// MTU, which leaves a 16-byte MSS.
const MinPodMTU = datapath.MinIPv4MTU

// timer and event kinds (the arg of Endpoint.Handle)
const (
	evRTO uint64 = iota
	evDelAck
	evWinUpdate
	evTSQ
	evConnect
	evSuperAck
	evReo
)

// Stats are an endpoint's counters.
type Stats struct {
	// first the counters a data segment or an ACK moves, in the 48 bytes
	// the endpoint's layout puts in one line (Endpoint.Prefetch,
	// TestEndpointLayout); RTT, an ACK's, after them
	SegsSent     uint64 // data segments, retransmissions included
	AcksSent     uint64 // pure ACKs (window updates and probes' answers included)
	BytesAcked   int64
	BytesRead    int64 // bytes the application has read (copied), by the time of the last copy
	DataSegsRcvd uint64
	// DataSkbsRcvd counts the data skbs: segments and GSO/GRO super-packets
	// (what Linux checks its ACK policy on once each).
	DataSkbsRcvd  uint64
	RTT           RTTStats
	Retrans       uint64 // retransmitted data segments
	FastRetrans   uint64 // fast retransmit episodes
	Undos         uint64 // of them found spurious and undone (reordering: recovery.go)
	DSACKs        uint64 // ACKs received reporting a duplicate (D-SACK, RFC 2883)
	RTOs          uint64 // retransmission timeouts (data)
	RTOUndos      uint64 // of them found spurious and undone (Linux TCPLossUndo)
	SynRetrans    uint64 // SYN (or SYN-ACK) retransmissions
	DupAcksRcvd   uint64
	Probes        uint64 // zero-window probes sent
	TLPs          uint64 // tail loss probes sent
	TLPRecoveries uint64 // probes that repaired a loss, the window then reduced (Linux TCPLossProbeRecovery)
	FinRetrans    uint64 // FIN retransmissions (fin.go)
	// Reordered counts original data segments (not retransmissions) that
	// arrived after data sent after them: the network reordered the flow
	// (a path that changed, or ECMP that is not per flow). Loss alone
	// never moves it: a lost segment's hole is filled by a retransmission.
	Reordered uint64
}

// Endpoint is one side of a TCP connection. It is created by Dial (both
// sides at once) and driven by the network and its timers.
type Endpoint struct {
	// Laid out by use (TestEndpointLayout): the fields a data segment or an
	// ACK reads or writes, either side's, come first, in the lines
	// Prefetch asks for; recovery's, the handshake's and teardown's after.
	net  *network.Network
	eng  *sim.Engine
	opt  *Options
	out  *network.Route
	peer *Endpoint
	mss  int64
	Node int // the pod's node
	Core int // the application's core (Send and Recv contexts)

	state  State
	client bool
	// teardown (fin.go): close() called, this side closed first, FIN
	// sent / acknowledged / peer's received, teardown over; the FIN's
	// sequence number; finIn is 1 once the peer's FIN is received (it
	// occupies a sequence number our ACKs acknowledge). Deliver and every
	// ACK read them: they share the state's cache line.
	closeReq, active, finSent, finAcked, finRcvd, done bool
	finIn, finAckSent                                  int64

	// sender
	sndUna, sndNxt, sndMax int64
	appLimit               int64  // bytes the application has written
	callNext               int64  // offset of the next send call's first byte (in writes[0])
	writes                 []span // written ranges whose send calls have not all been sent
	sndWndEdge             int64  // peer's window right edge
	lastWin                int64
	cwnd, ssthresh         float64
	writerWakes            uint8 // the application's writer's wake-ups not yet paid (WriterWoke, WriterSlept): one a new segment
	sleepCalls             uint8 // the calls it slept in (WriterSlept), paid by the next new segment
	cwndLimited            bool
	inRecovery             bool
	persist                bool
	probing                bool // rtoTimer is the tail loss probe's timer (PTO)
	// after a timeout, until snd_una reaches recover (Linux TCP_CA_Loss),
	// and whether no ACK has advanced snd_una since the last timeout
	// (icsk_retransmits > 0); beside the other flags, in one word
	inLoss, timedOut bool
	dupAcks          int32
	quick            int32 // the receiver's quick ACKs left (here to share the flags' word)
	recover          int64
	srtt, rttvar     sim.Time
	rto, minRTT      sim.Time
	// the TSval of the oldest retransmission not yet acknowledged when
	// recovery began or sent since (0: none; Linux retrans_stamp), and the
	// end of the retransmitted data
	retransStamp sim.Time
	rtxEnd       int64
	lastXmit     sim.Time  // when the last data segment was handed down (xmit)
	tlpHigh      int64     // snd_max after the outstanding probe (0: none; tlpSeq below)
	lx           *linuxAck // Options.AckPolicy "linux" (ackpolicy.go), else nil
	ecn          *ecnState // DCTCP or Options.ECN (ecn.go), else nil

	// receiver
	rcvNxt, rcvWup int64
	oooBytes       int64
	rcvSpace       int64
	advEdge        int64
	tsRecent       sim.Time
	ackCore        int
	ooo            []span     // out-of-order data, sorted, disjoint
	copies         []copyDone // application copies not yet finished
	copiesHead     int
	copied         int64
	dsack          span // a duplicate received, for the next ACK's first block (RFC 2883; empty: none)

	// OnRead is called when in-order data has been copied to the
	// application: total bytes read so far, at the time the copy ends
	// (at may be later than now; schedule an event to act at that time).
	OnRead func(at sim.Time, total int64)
	// OnAcked is called when new data is acknowledged: total bytes acked.
	OnAcked func(at sim.Time, total int64)

	delack   sim.Timer
	superAck sim.Timer // ACK once a super-packet's last packet is processed (offloads)
	winUpd   sim.Timer
	// what an ACK reaching the sender reads besides (Prefetch)
	rtoTimer sim.Timer
	cc       cubic
	sb       scoreboard // SACKed ranges (RFC 6675)

	Stats Stats // its leading counters, what packets move, in the line Prefetch asks for (RTT, which an ACK moves, in the next)

	// below, what loss recovery and the connection's life read

	highRxt int64     // end of the last retransmission in recovery (HighRxt)
	recRetx int       // the retransmissions of this recovery
	rtxLog  []retxRec // retransmissions in flight, in send order: this recovery's and those carried from the last (carryRetx)
	// a bound on rtxLog's ranges: no start below rtxLo, no end above
	// rtxHi (detectLostRetx skips its scan when none can have changed)
	rtxLo, rtxHi         int64
	tlpSeq               int64     // the outstanding probe's first byte (0: none)
	tlpRetrans           bool      // the probe sent the last segment again (Linux tlp_retrans)
	tlpDup               bool      // a D-SACK reported the probe's bytes twice: nothing was lost
	rackLost             int64     // unSACKed bytes below it were sent before delivered data: lost
	lossAt               sim.Time  // the last data timeout (lossRetxLost)
	reoTimer             sim.Timer // RACK's reordering window before SACKed data marks the holes below it lost (rackDetect)
	relost               []span    // retransmissions found lost, to send again first (carried to the next recovery when unsent)
	priorCwnd            int64     // PRR RecoverFS, bytes (Linux prior_cwnd)
	prrDelivered, prrOut int64     // RFC 6937 counters, bytes
	// undoing a spurious recovery (recovery.go): the window and ssthresh
	// before it; whether it may still be undone by D-SACKs (Linux
	// undo_marker set: snd_una when it began) and its retransmissions
	// not yet reported duplicated (undo_retrans; -1 before the first)
	undoCwnd, undoSsthresh float64
	undoArmed              bool
	undoMarker             int64
	undoRetrans            int
	// Linux's CUBIC state (Options.LinuxCubic with CUBIC, linuxcubic.go),
	// else nil; behind the per-packet lines: ACKs test opt.LinuxCubic
	hs *linuxCubic

	sackRecent [maxSACKBlocks]int64
	sackLog    sackLog

	// OnEstablished is called once the handshake completes on this side.
	OnEstablished func(at sim.Time)
	// OnFail is called when the SYN retries are exhausted.
	OnFail func(at sim.Time)

	connectAt sim.Time // a Connect event's time (-1: none): a Pool waits past it

	finTries int
	finSeq   int64
	conn     *Conn
	synCount int // SYN or SYN-ACK transmissions so far

	// Times of the first SYN, of establishment, and of failure.
	FirstSyn, EstablishedAt, FailedAt sim.Time

	// OnEOF is called when the application's read returns end of file
	// (the peer's FIN), at the time the read returns.
	OnEOF func(at sim.Time)

	// with Options.RTOFromHead: the original segments outstanding from
	// sentHead on, with their send times (noteSent, rtoFromHead)
	sent     []sentRec
	sentHead int

	// with Options.LinuxTSQ: new data up to tsqPass may follow without
	// another check while sending at tsqPassAt (the rest of the skb
	// tcp_small_queue_check let through whole: tsqHold)
	tsqPass   int64
	tsqPassAt sim.Time
}

// RTTStats accumulates an endpoint's RTT samples exactly, in
// picoseconds: the count and the mean are what the workloads report, and
// a Welford update per ACK cost a tenth of a request-response run.
type RTTStats struct {
	n   int
	sum sim.Time
}

func (s *RTTStats) add(r sim.Time) { s.n++; s.sum += r }

// N returns the number of samples.
func (s RTTStats) N() int { return s.n }

// Mean returns the mean RTT in microseconds (0 with no samples).
func (s RTTStats) Mean() float64 {
	if s.n == 0 {
		return 0
	}
	return float64(s.sum) / float64(s.n) / float64(sim.Microsecond)
}

type span struct{ start, end int64 }

type copyDone struct {
	done  sim.Time
	total int64
}

// State returns the connection state (a closing side's from fin.go).
func (ep *Endpoint) State() State {
	if ep.state == Established && (ep.closeReq || ep.finRcvd) {
		return ep.closeState()
	}
	return ep.state
}

// MSS returns the segment payload size.
func (ep *Endpoint) MSS() int64 { return ep.mss }

// Cwnd returns the congestion window in segments.
func (ep *Endpoint) Cwnd() float64 { return ep.cwnd }

// Ssthresh returns the slow-start threshold in segments.
func (ep *Endpoint) Ssthresh() float64 { return ep.ssthresh }

// SRTT returns the smoothed round-trip time (0 before the first sample).
func (ep *Endpoint) SRTT() sim.Time { return ep.srtt }

// RTO returns the current retransmission timeout.
func (ep *Endpoint) RTO() sim.Time { return ep.rto }

// Route returns the route this endpoint sends on.
func (ep *Endpoint) Route() *network.Route { return ep.out }

// Peer returns the other side.
func (ep *Endpoint) Peer() *Endpoint { return ep.peer }

// Acked returns the bytes acknowledged by the peer.
func (ep *Endpoint) Acked() int64 { return ep.sndUna }

// Received returns the in-order bytes received.
func (ep *Endpoint) Received() int64 { return ep.rcvNxt }

// Handle runs the endpoint's timers.
func (ep *Endpoint) Handle(e *sim.Engine, arg uint64) {
	now := e.Now()
	switch arg {
	case evRTO:
		if ep.finPending() {
			ep.onFinRTO(now)
		} else {
			ep.onRTO(now)
		}
	case evDelAck:
		if ep.lx != nil && ep.finIn <= ep.finAckSent {
			ep.linuxDelAckTimer(now)
		} else if ep.rcvNxt > ep.rcvWup || ep.advEdge < ep.rcvNxt || ep.finIn > ep.finAckSent {
			ep.sendAck(now, ep.ackCore)
		}
	case evWinUpdate:
		ep.onWindowUpdate(now)
	case evTSQ:
		ep.out.Unthrottle()
		ep.output(now)
	case evConnect:
		ep.sendSyn(now)
	case evSuperAck:
		if ep.lx != nil {
			ep.linuxAckCheck(now)
		} else if ep.rcvNxt > ep.rcvWup {
			ep.sendAck(now, ep.ackCore)
		}
	case evReadEnd:
		ep.onReadEnd(now)
	case evReo:
		ep.onReoTimeout(now)
	}
}

// Prefetch asks for the lines of the endpoint that Deliver reads about p
// (network.Prefetcher): its head, the receiver's or the sender's part (a
// segment with payload or a pure ACK) and the statistics.
func (ep *Endpoint) Prefetch(p *network.Packet) {
	base := unsafe.Pointer(ep)
	prefetch.Lines(base, hotLines)
	if p.Len == 0 { // an ACK: the sender's timer, window and scoreboard
		prefetch.Lines(unsafe.Add(base, unsafe.Offsetof(ep.rtoTimer)), sndLines)
	}
	prefetch.Lines(unsafe.Add(base, unsafe.Offsetof(ep.Stats)), 1)
}

// the cache lines that Prefetch asks for: from the start to winUpd (either
// side's), rtoTimer to sb (an ACK's), and the line Stats starts in
const (
	hotLines = int((unsafe.Offsetof(Endpoint{}.winUpd)+unsafe.Sizeof(sim.Timer{})-1)/64 + 1)
	sndLines = int((unsafe.Offsetof(Endpoint{}.sb)+unsafe.Sizeof(scoreboard{})-1)/64 -
		unsafe.Offsetof(Endpoint{}.rtoTimer)/64 + 1)
)

// Deliver processes a packet from the peer (network.Endpoint).
func (ep *Endpoint) Deliver(p *network.Packet, at sim.Time) {
	ep.ackCore = p.Core()
	h := p.Header
	in := p.Route()
	batched := p.Batched()
	ep.net.Free(p)
	if h.Flags&network.FlagSYN != 0 {
		ep.onSyn(&h, at)
		return
	}
	switch ep.state {
	case SynRcvd:
		if h.Flags&network.FlagACK == 0 {
			return
		}
		ep.establish(at)
	case Established:
		if h.Flags&network.FlagFIN != 0 || ep.closeReq || ep.finRcvd {
			ep.closing(&h, in, at, batched) // fin.go
			return
		}
	case TimeWait:
		ep.timeWait(&h, at)
		return
	default:
		return
	}
	if h.Flags&network.FlagACK != 0 {
		ep.onAck(&h, at)
	}
	if h.Len > 0 || h.Flags&network.FlagProbe != 0 {
		ep.onData(&h, in, at, batched)
	}
}

// packet allocates a packet carrying this side's ACK state.
func (ep *Endpoint) packet(at sim.Time, flags uint8, seq int64, n int64) *network.Packet {
	p := ep.net.Alloc()
	p.Flags = flags
	p.Seq = seq
	p.Len = int32(n)
	p.Ack = ep.rcvNxt + ep.finIn
	ep.finAckSent = ep.finIn
	p.Win = ep.advertise(at)
	p.TSval = at + 1 // +1: zero means "no timestamp"
	p.TSecr = ep.tsRecent
	p.IPBytes = int32(datapath.TCPIPOverhead + n)
	if ep.ecn != nil {
		ep.ecnMark(p)
	}
	if ep.lx != nil {
		ep.linuxSent(at, n)
	}
	ep.rcvWup = ep.rcvNxt
	ep.delack.Stop()
	ep.superAck.Stop()
	return p
}
