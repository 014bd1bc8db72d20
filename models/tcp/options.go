package tcp

import (
	"fmt"
	"slices"

	"github.com/cnisim/cnisim/internal/field"

	"github.com/cnisim/cnisim/sim"
)

// Congestion control algorithms.
const (
	Cubic = "cubic"
	Reno  = "reno"
	DCTCP = "dctcp" // ecn.go
)

// SYN retransmission schedules.
const (
	SynExponential = "exponential" // 1, 3, 7, 15, 31, 63 s; failure at 127 s
	SynLinear4     = "linear4"     // tcp_syn_linear_timeouts = 4: 1, 2, 3, 4, 5, 7, 11 ... s
)

// Options are per-connection TCP settings. Zero values take Linux defaults
// through Defaults.
type Options struct {
	Congestion  string // cubic (Linux default) | reno | dctcp
	SynSchedule string // exponential | linear4
	SynRetries  int    // tcp_syn_retries (Linux 6)
	// ECN: RFC 3168 ECN for Reno and CUBIC on both sides of a connection
	// (Linux net.ipv4.tcp_ecn = 1; ecn.go). DCTCP always uses ECN.
	ECN      bool
	InitCwnd int // segments (Linux TCP_INIT_CWND 10, RFC 6928)
	// RcvBuf is the receive socket buffer; the window offered is half of
	// it (tcp_adv_win_scale = 1). Linux tcp_rmem max 6 MiB.
	RcvBuf int64
	// TSQBytes bounds a socket's bytes queued below TCP (qdisc and NIC):
	// TCP small queues, tcp_limit_output_bytes (assumed 256 KiB, the
	// kernel 4.x default; newer kernels allow 1-4 MiB).
	TSQBytes int64
	InitRTO  sim.Time // 1 s (RFC 6298 2.1; Linux TCP_TIMEOUT_INIT)
	MinRTO   sim.Time // 200 ms (Linux TCP_RTO_MIN)
	MaxRTO   sim.Time // 120 s (Linux TCP_RTO_MAX)
	DelAck   sim.Time // 40 ms (Linux TCP_DELACK_MIN)
	// HZ is the kernel's tick rate (CONFIG_HZ): TCP's retransmission,
	// probe, RACK and delayed-ACK timers then fire on its ticks, as
	// Linux's do (timerAt); 0, the default, fires them at exact times.
	HZ int
	// RTOFromHead re-arms the retransmission timer as Linux does once a
	// tail loss probe is due (tcp_rearm_rto with a probe pending:
	// tcp_rto_delta_us): to expire an RTO after the oldest outstanding
	// segment was sent, not an RTO from now; and, as Linux's ACKs do,
	// re-arms the probe timer during a probe's episode, which then
	// re-arms the RTO so instead of probing again (tcp_send_loss_probe:
	// tlp_high_seq set). false, the default, counts every RTO from when
	// it is armed (figures measured before 2026-12-07).
	RTOFromHead bool
	// LinuxTSQ bounds a socket's queued bytes (network.Route.TxQueued) as
	// Linux's tcp_small_queue_check does before each skb: at most
	// max(twice the truesize of the skb about to go, its unsent data up
	// to 64 kB; the pacing rate >> 10, about 1 ms of it, the rate 2x
	// cwnd*mss/srtt in slow start below half ssthresh, else 1.2x:
	// tcp_update_pacing_rate), capped at TSQBytes
	// (tcp_limit_output_bytes), not applied with one segment at most
	// unacknowledged, and sending again once they fall to the bound (the
	// skb's free wakes it: tcp_wfree). false, the default: TSQBytes, then
	// a wake-up at half of it (figures measured before 2026-12-07).
	LinuxTSQ bool
	// LinuxCubic runs CUBIC as Linux's tcp_cubic.c does (linuxcubic.go):
	// HyStart ends slow start before a loss (an ACK train longer than
	// half the least RTT, or a round's RTT 4-16 ms above it), the window
	// grows 5% a round at least while there is no W_max (after HyStart or
	// a timeout, which forgets it), and the cubic's time runs ahead by the
	// least RTT. false, the default: RFC 9438's CUBIC with slow start
	// until a loss (figures measured before 2026-12-07). Reno and DCTCP
	// ignore it.
	LinuxCubic bool
	// Capture, when set, records the connections' packets (capture.go);
	// it changes nothing they do.
	Capture    *Capture
	QuickAcks  int // segments ACKed at once at the start (Linux TCP_MAX_QUICKACKS 16)
	SynAckRetr int // tcp_synack_retries (Linux 5)
	// AckEvery is the receiver's ACK policy: a pure ACK once this many
	// full-sized segments are unacknowledged (else after DelAck). Linux's
	// __tcp_ack_snd_check ACKs "more than one full frame", so 2; a receiver
	// with GRO sends stretch ACKs, one per super-packet or per several
	// (a measured ratio of ACKs to data packets r gives AckEvery = 1/r).
	AckEvery int
	// AckPolicy is how the receiver decides when to ACK: AckPolicyEvery
	// (the default: AckEvery, QuickAcks and DelAck as stated) or
	// AckPolicyLinux (ackpolicy.go: quick ACKs, ACKs per skb when the
	// window advances, per read call otherwise, adaptive delayed ACKs).
	AckPolicy string
	// WriteBytes and ReadBytes are the application's send and read call
	// sizes: a send call begins every WriteBytes of a write, and pays the
	// path's per-call steps (datapath/calls.go) once; a reader woken by
	// data reads it in calls of ReadBytes (iperf3 TCP: 128 KiB both, its
	// default buffer; netperf 16 KiB; 1-byte RR: 1).
	WriteBytes, ReadBytes int64
}

// DefaultCallBytes is iperf3's default TCP buffer, its read and write
// call size (quoted: iperf3 --help, "-l, --length: length of buffer to
// read or write (default 128 KB for TCP)").
const DefaultCallBytes = 128 << 10

// MaxAckEvery bounds Options.AckEvery: a 64 KiB GRO super-packet holds at
// most 45 segments of 1448 bytes and a stretch ACK may cover a few of them;
// beyond 1024 segments (1.4 MB at MTU 1500) the delayed-ACK timer, not the
// policy, would pace a flow.
const MaxAckEvery = 1024

// Defaults fills zero fields with Linux's values.
func (o Options) Defaults() Options {
	if o.Congestion == "" {
		o.Congestion = Cubic
	}
	if o.SynSchedule == "" {
		o.SynSchedule = SynExponential
	}
	if o.SynRetries == 0 {
		o.SynRetries = 6
	}
	if o.InitCwnd == 0 {
		o.InitCwnd = 10
	}
	if o.RcvBuf == 0 {
		o.RcvBuf = 6 << 20
	}
	if o.TSQBytes == 0 {
		o.TSQBytes = 256 << 10
	}
	if o.InitRTO == 0 {
		o.InitRTO = sim.Second
	}
	if o.MinRTO == 0 {
		o.MinRTO = 200 * sim.Millisecond
	}
	if o.MaxRTO == 0 {
		o.MaxRTO = 120 * sim.Second
	}
	if o.DelAck == 0 {
		o.DelAck = 40 * sim.Millisecond
	}
	if o.QuickAcks == 0 {
		o.QuickAcks = 16
	}
	if o.SynAckRetr == 0 {
		o.SynAckRetr = 5
	}
	if o.AckEvery == 0 {
		o.AckEvery = 2
	}
	if o.AckPolicy == "" {
		o.AckPolicy = AckPolicyEvery
	}
	if o.WriteBytes == 0 {
		o.WriteBytes = DefaultCallBytes
	}
	if o.ReadBytes == 0 {
		o.ReadBytes = DefaultCallBytes
	}
	return o
}

// Validate reports the first bad field with the allowed values.
func (o Options) Validate() error {
	switch {
	case o.Congestion != Cubic && o.Congestion != Reno && o.Congestion != DCTCP:
		return field.Errorf("tcp.Options.Congestion", o.Congestion, "allowed cubic, reno, dctcp")
	case o.SynSchedule != SynExponential && o.SynSchedule != SynLinear4:
		return field.Errorf("tcp.Options.SynSchedule", o.SynSchedule, "allowed exponential, linear4")
	case o.SynRetries < 0 || o.SynRetries > 127:
		return field.Errorf("tcp.Options.SynRetries", o.SynRetries, "must be in [0, 127]")
	case o.InitCwnd < 1:
		return field.Errorf("tcp.Options.InitCwnd", o.InitCwnd, "must be >= 1")
	case o.RcvBuf < 4096:
		return field.Errorf("tcp.Options.RcvBuf", o.RcvBuf, "must be >= 4096 bytes")
	case o.TSQBytes < 0:
		return field.Errorf("tcp.Options.TSQBytes", o.TSQBytes, "must be >= 0")
	case o.AckEvery < 1 || o.AckEvery > MaxAckEvery:
		return field.Errorf("tcp.Options.AckEvery", o.AckEvery, "must be in [1, %d] (full-sized segments per delayed ACK)", MaxAckEvery)
	case o.AckPolicy != AckPolicyEvery && o.AckPolicy != AckPolicyLinux:
		return field.Errorf("tcp.Options.AckPolicy", o.AckPolicy, "allowed %s, %s", AckPolicyEvery, AckPolicyLinux)
	case o.WriteBytes < 1 || o.WriteBytes > 1<<30:
		return field.Errorf("tcp.Options.WriteBytes", o.WriteBytes, "must be in [1, %d] (bytes per send call)", 1<<30)
	case o.ReadBytes < 1 || o.ReadBytes > 1<<30:
		return field.Errorf("tcp.Options.ReadBytes", o.ReadBytes, "must be in [1, %d] (bytes per read call)", 1<<30)
	case !slices.Contains(KernelHZs, o.HZ):
		return field.Errorf("tcp.Options.HZ", o.HZ, "allowed %v (0: exact timers)", KernelHZs)
	case o.MinRTO <= 0 || o.MinRTO > o.MaxRTO:
		return field.Errorf("tcp.Options.MinRTO", o.MinRTO, "must be in (0, the maximum RTO %v]", o.MaxRTO)
	case o.MaxRTO <= 0 || o.InitRTO <= 0:
		return fmt.Errorf("tcp rto bounds: need max_rto > 0 and init_rto > 0")
	}
	return nil
}

// synGap returns the wait after the k-th SYN transmission (k = 0 for the
// first): doubling from the initial RTO, or for linear4 the initial RTO
// for the first five waits and doubling afterwards.
func (o *Options) synGap(k int) sim.Time {
	lin := 0
	if o.SynSchedule == SynLinear4 {
		lin = 4
	}
	if k <= lin {
		if lin > 0 {
			return o.InitRTO
		}
		return o.InitRTO << k
	}
	g := o.InitRTO << (k - lin)
	if g > o.MaxRTO {
		g = o.MaxRTO
	}
	return g
}
