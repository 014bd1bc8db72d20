package testbed

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/simulate"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// The incast benchmark measures a partition-aggregate TCP incast on this
// machine's kernel and compares it with the simulator's switch-buffer and
// TCP loss-recovery model, nothing fitted to it: an aggregator namespace
// and N worker namespaces hang off a Linux bridge (in a namespace of its
// own) by veth pairs with TSO, GSO and GRO off; every host's egress is a
// tbf at the rate with a queue that never fills (its NIC), and the
// bridge's port toward the aggregator a tbf at the rate whose limit is
// the switch port's buffer (the bottleneck: tbf and its bfifo count
// skb->len, the IP packet and the 14-byte Ethernet header). A query: each
// worker's socket, made in its namespace, is connected non-blocking from
// one locked thread, so that the workers start together; each writes its
// response as its connect completes and closes; the aggregator reads
// every connection to EOF. The query completion time (QCT) is the last
// EOF minus the instant before the first connect, as the simulator's
// query is its arrival to the aggregator's read of its last response.

// IncastFile is the benchmark's record in its directory.
const IncastFile = "incast.json"

// Incast constants of the testbed, recorded in each run.
const (
	// IncastFrameBytes is a full-sized frame as tbf counts it, the unit
	// of every tbf's bucket (IncastOptions.BurstFrames).
	IncastFrameBytes = incastMTU + incastFrameOverhead
	// IncastHostLimitBytes is the hosts' tbf queue: never full (a NIC).
	IncastHostLimitBytes = 1 << 20
	// incastFrameOverhead is what tbf counts beyond the IP packet: the
	// Ethernet header (no FCS, preamble or gap on a veth).
	incastFrameOverhead = 14
	// incastMTU is the veths' MTU.
	incastMTU = 1500
)

// IncastCounter is one kernel TCP counter the benchmark reads in every
// worker namespace before and after a configuration: Name as nstat calls
// it, File and Proto and Field where it is (/proc/net/snmp's "Tcp:" or
// /proc/net/netstat's "TcpExt:" lines).
type IncastCounter struct {
	Name, File, Proto, Field string
	// Required: the record must carry it (the comparison's columns); the
	// others are recorded where the kernel has them.
	Required bool
}

// Counter names the comparison reads.
const (
	CtrRetransSegs    = "TcpRetransSegs"
	CtrTimeouts       = "TcpExtTCPTimeouts"
	CtrLossProbes     = "TcpExtTCPLossProbes"
	CtrSackRecovery   = "TcpExtTCPSackRecovery"
	CtrLostRetransmit = "TcpExtTCPLostRetransmit"
)

// IncastCounters are the counters recorded, required ones first.
var IncastCounters = []IncastCounter{
	{CtrRetransSegs, "snmp", "Tcp", "RetransSegs", true},
	{CtrTimeouts, "netstat", "TcpExt", "TCPTimeouts", true},
	{CtrLossProbes, "netstat", "TcpExt", "TCPLossProbes", true},
	{CtrSackRecovery, "netstat", "TcpExt", "TCPSackRecovery", true},
	{CtrLostRetransmit, "netstat", "TcpExt", "TCPLostRetransmit", true},
	{"TcpOutSegs", "snmp", "Tcp", "OutSegs", false},
	{"TcpExtTCPSynRetrans", "netstat", "TcpExt", "TCPSynRetrans", false},
	{"TcpExtTCPFastRetrans", "netstat", "TcpExt", "TCPFastRetrans", false},
	{"TcpExtTCPSlowStartRetrans", "netstat", "TcpExt", "TCPSlowStartRetrans", false},
	{"TcpExtTCPLossProbeRecovery", "netstat", "TcpExt", "TCPLossProbeRecovery", false},
	{"TcpExtTCPSackRecoveryFail", "netstat", "TcpExt", "TCPSackRecoveryFail", false},
	{"TcpExtTCPSackFailures", "netstat", "TcpExt", "TCPSackFailures", false},
	{"TcpExtTCPLossFailures", "netstat", "TcpExt", "TCPLossFailures", false},
	{"TcpExtTCPSpuriousRTOs", "netstat", "TcpExt", "TCPSpuriousRTOs", false},
}

// IncastSysctls are the TCP settings recorded from a worker namespace
// (the scenario maps the SYN schedule and the minimum RTO from them).
var IncastSysctls = []string{
	"net/ipv4/tcp_syn_linear_timeouts", "net/ipv4/tcp_rto_min_us", "net/ipv4/tcp_early_retrans",
	"net/ipv4/tcp_recovery", "net/ipv4/tcp_sack", "net/ipv4/tcp_frto", "net/ipv4/tcp_no_metrics_save",
	"net/ipv4/tcp_no_ssthresh_metrics_save", "net/ipv4/tcp_limit_output_bytes", "net/ipv4/tcp_autocorking",
	"net/ipv4/tcp_congestion_control",
}

// IncastOptions are the benchmark's.
type IncastOptions struct {
	Senders  []int         // workers per query, one configuration each (with each buffer)
	Buffers  []int64       // the bottleneck tbf's limit, bytes
	RateMbit float64       // every link's rate (tbf), Mbit/s
	Bytes    int64         // each worker's response
	Queries  int           // queries per configuration, one after another
	Gap      time.Duration // idle time between queries
	Timeout  time.Duration // a query unfinished after it is recorded as such
	RTTs     int           // idle handshakes timed per configuration
	// BurstFrames is every tbf's bucket in full-sized frames. Three (the
	// default) carry a frame over a late timer wake-up (one lost about a
	// quarter of the rate at 10 Mbit/s in the prototype; the recorded
	// one-frame run lost none measurable), but let a host's or the
	// port's first frames after idle through at once, which a
	// store-and-forward switch does not: one frame is the closer switch.
	BurstFrames int
	Command     string // for provenance
	Tools       map[string]string
	Log         io.Writer
	LockWait    time.Duration // for a testbed run holding the lock
}

// Ranges of IncastOptions (Validate; the CLI's help).
const (
	IncastMaxSenders  = 32
	IncastMinBuffer   = IncastFrameBytes // one full-sized frame
	IncastMaxBuffer   = 64 << 20
	IncastMinRateMbit = 0.1
	IncastMaxRateMbit = 1000
	IncastMaxBytes    = 16 << 20
	IncastMaxQueries  = 10000
	IncastMaxGap      = time.Minute
	IncastMaxBurst    = 16 // frames
)

// DefaultIncastOptions: 8 workers of 20,000 bytes at 10 Mbit/s (a frame
// time of 1.2 ms, many times the ~0.2 ms the connect loop spreads the
// workers' starts over; at 100 Mbit/s the skew is several frame times),
// the bottleneck's buffer from ample (no drop) down to 24 kB, 20 queries
// 300 ms apart, 5 s before a query is given up.
func DefaultIncastOptions() IncastOptions {
	return IncastOptions{Senders: []int{8}, Buffers: []int64{256000, 96000, 48000, 24000}, RateMbit: 10, Bytes: 20000,
		Queries: 20, Gap: 300 * time.Millisecond, Timeout: 5 * time.Second, RTTs: 20, BurstFrames: 3, Log: io.Discard, LockWait: 15 * time.Minute}
}

// burstBytes is every tbf's bucket in bytes.
func (o IncastOptions) burstBytes() int64 { return int64(o.BurstFrames) * IncastFrameBytes }

// Validate checks the options' ranges; each error names the option.
func (o IncastOptions) Validate() error {
	if len(o.Senders) == 0 {
		return fmt.Errorf("senders: at least one count, each 1..%d", IncastMaxSenders)
	}
	for _, n := range o.Senders {
		if n < 1 || n > IncastMaxSenders {
			return fmt.Errorf("senders: %d is not in 1..%d", n, IncastMaxSenders)
		}
	}
	if d := dup(o.Senders); d >= 0 {
		return fmt.Errorf("senders: %d given twice", d)
	}
	if len(o.Buffers) == 0 {
		return fmt.Errorf("buffers: at least one size, each %d..%d bytes", IncastMinBuffer, IncastMaxBuffer)
	}
	for _, b := range o.Buffers {
		if b < IncastMinBuffer || b > IncastMaxBuffer {
			return fmt.Errorf("buffers: %d is not in %d..%d bytes (one full-sized frame to 64 MiB)", b, IncastMinBuffer, IncastMaxBuffer)
		}
	}
	if d := dup(o.Buffers); d >= 0 {
		return fmt.Errorf("buffers: %d given twice", d)
	}
	if !(o.RateMbit >= IncastMinRateMbit && o.RateMbit <= IncastMaxRateMbit) {
		return fmt.Errorf("rate-mbit: %v is not in %g..%g Mbit/s", o.RateMbit, float64(IncastMinRateMbit), float64(IncastMaxRateMbit))
	}
	if o.Bytes < 1 || o.Bytes > IncastMaxBytes {
		return fmt.Errorf("bytes: %d is not in 1..%d", o.Bytes, IncastMaxBytes)
	}
	if o.Queries < 1 || o.Queries > IncastMaxQueries {
		return fmt.Errorf("queries: %d is not in 1..%d", o.Queries, IncastMaxQueries)
	}
	if o.Gap < 0 || o.Gap > IncastMaxGap {
		return fmt.Errorf("gap: %v is not in 0s..%v", o.Gap, IncastMaxGap)
	}
	if o.Timeout < 100*time.Millisecond || o.Timeout > 5*time.Minute {
		return fmt.Errorf("timeout: %v is not in 100ms..5m", o.Timeout)
	}
	if o.RTTs < 1 || o.RTTs > 1000 {
		return fmt.Errorf("rtts: %d is not in 1..1000", o.RTTs)
	}
	if o.BurstFrames < 1 || o.BurstFrames > IncastMaxBurst {
		return fmt.Errorf("burst-frames: %d is not in 1..%d", o.BurstFrames, IncastMaxBurst)
	}
	return nil
}

// dup returns a value given twice, or -1.
func dup[T int | int64](v []T) T {
	for i, x := range v {
		if slices.Contains(v[:i], x) {
			return x
		}
	}
	return -1
}

// IncastRun is incast.json: where and how it was measured, and every
// configuration's queries.
type IncastRun struct {
	Command    string            `json:"command"`
	Date       string            `json:"date"`
	Kernel     string            `json:"kernel"` // uname -r
	CPUModel   string            `json:"cpu_model"`
	CPUs       int               `json:"cpus"`
	Tools      map[string]string `json:"tools"`   // versions: go, tc, cnisim
	Sysctls    map[string]string `json:"sysctls"` // IncastSysctls in a worker namespace
	Loadavg    string            `json:"loadavg"`
	LoadavgEnd string            `json:"loadavg_end"`
	RateMbit   float64           `json:"rate_mbit"`
	Bytes      int64             `json:"bytes"` // each worker's response
	GapMS      float64           `json:"gap_ms"`
	TimeoutMS  float64           `json:"timeout_ms"`
	BurstBytes int64             `json:"tbf_burst_bytes"`
	HostLimit  int64             `json:"host_limit_bytes"`
	MTU        int               `json:"mtu"`
	// HZ is the kernel's CONFIG_HZ (kernelHZ), which sets when its TCP
	// timers fire; 0 where the run did not record it.
	HZ int `json:"hz,omitempty"`
	// IdleRTTUS is the median of every configuration's idle handshakes
	// (connect to its completion, one worker at a time), microseconds.
	IdleRTTUS float64        `json:"idle_rtt_us"`
	Configs   []IncastConfig `json:"configs"`
}

// IncastConfig is one configuration: its queries and what the kernel
// counted over them.
type IncastConfig struct {
	Senders     int   `json:"senders"`
	BufferBytes int64 `json:"buffer_bytes"`
	// IdleRTTsUS are this topology's idle handshakes before the queries.
	IdleRTTsUS []int64          `json:"idle_rtts_us"`
	Queries    []IncastQuery    `json:"queries"`
	TCDrops    int64            `json:"tc_drops"`     // the bottleneck tbf's drops over the queries
	TCPackets  int64            `json:"tc_packets"`   // and the packets it sent
	Counters   map[string]int64 `json:"tcp_counters"` // IncastCounters' deltas summed over the workers
}

// IncastQuery is one query's times, microseconds from the instant
// before the first connect (t0).
type IncastQuery struct {
	QCTUS       int64 `json:"qct_us"`           // the last response read to EOF (0: unfinished)
	FirstConnUS int64 `json:"first_connect_us"` // the first connect completed
	StartSkewUS int64 `json:"start_skew_us"`    // the last connect completed - the first
	LastWriteUS int64 `json:"last_write_us"`    // the last response handed to the kernel whole
	Unfinished  bool  `json:"unfinished,omitempty"`
	// ResponsesUS are the responses' EOFs at the aggregator, sorted (an
	// unfinished query's: those read by its timeout).
	ResponsesUS []int64 `json:"responses_us"`
	TCDrops     int64   `json:"tc_drops"` // the bottleneck's drops during the query
}

// LoadIncast reads dir/incast.json and checks it.
func LoadIncast(dir string) (*IncastRun, error) {
	p := filepath.Join(dir, IncastFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return ParseIncast(p, b)
}

// ParseIncast reads an incast.json's bytes (name says where they come
// from, for errors: every error starts with it) and checks them.
func ParseIncast(name string, b []byte) (*IncastRun, error) {
	var r IncastRun
	if err := parseRecord(name, b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// parseRecord decodes one JSON record into r, refusing unknown fields
// and trailing data, and checks it; every error starts with name.
func parseRecord(name string, b []byte, r interface{ check() error }) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(r); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if d.More() {
		return fmt.Errorf("%s: data after the record", name)
	}
	if err := r.check(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// check validates a loaded run; errors name the field.
func (r *IncastRun) check() error {
	if !(r.RateMbit >= IncastMinRateMbit && r.RateMbit <= IncastMaxRateMbit) {
		return fmt.Errorf("rate_mbit: %v is not in %g..%g", r.RateMbit, float64(IncastMinRateMbit), float64(IncastMaxRateMbit))
	}
	if r.Bytes < 1 || r.Bytes > IncastMaxBytes {
		return fmt.Errorf("bytes: %d is not in 1..%d", r.Bytes, IncastMaxBytes)
	}
	if !(r.IdleRTTUS > 0 && r.IdleRTTUS < 1e7) {
		return fmt.Errorf("idle_rtt_us: %v must be > 0 and under 10 s", r.IdleRTTUS)
	}
	if r.MTU != 0 && (r.MTU < 576 || r.MTU > 65535) {
		return fmt.Errorf("mtu: %d is not in 576..65535", r.MTU)
	}
	if !slices.Contains(tcp.KernelHZs, r.HZ) {
		return fmt.Errorf("hz: %d is not one of %v (0: not recorded)", r.HZ, tcp.KernelHZs)
	}
	if len(r.Configs) == 0 {
		return errors.New("configs: none")
	}
	for i, c := range r.Configs {
		at := fmt.Sprintf("configs[%d]", i)
		if c.Senders < 1 || c.Senders > IncastMaxSenders {
			return fmt.Errorf("%s.senders: %d is not in 1..%d", at, c.Senders, IncastMaxSenders)
		}
		if c.BufferBytes < IncastMinBuffer || c.BufferBytes > IncastMaxBuffer {
			return fmt.Errorf("%s.buffer_bytes: %d is not in %d..%d", at, c.BufferBytes, IncastMinBuffer, IncastMaxBuffer)
		}
		for j, p := range r.Configs[:i] {
			if p.Senders == c.Senders && p.BufferBytes == c.BufferBytes {
				return fmt.Errorf("%s: senders %d, buffer_bytes %d again (configs[%d])", at, c.Senders, c.BufferBytes, j)
			}
		}
		if len(c.Queries) == 0 {
			return fmt.Errorf("%s.queries: none", at)
		}
		done := 0
		for j, q := range c.Queries {
			if len(q.ResponsesUS) > c.Senders || !slices.IsSorted(q.ResponsesUS) || len(q.ResponsesUS) > 0 && q.ResponsesUS[0] < 0 {
				return fmt.Errorf("%s.queries[%d].responses_us: want at most %d times >= 0, sorted", at, j, c.Senders)
			}
			if n := len(q.ResponsesUS); n > 0 && !q.Unfinished && (n != c.Senders || q.ResponsesUS[n-1] != q.QCTUS) {
				return fmt.Errorf("%s.queries[%d].responses_us: a finished query's are %d times ending at qct_us %d", at, j, c.Senders, q.QCTUS)
			}
			if q.Unfinished {
				if q.QCTUS != 0 {
					return fmt.Errorf("%s.queries[%d].qct_us: %d on an unfinished query (want 0)", at, j, q.QCTUS)
				}
				continue
			}
			done++
			if q.QCTUS <= 0 || q.QCTUS > 1e9 {
				return fmt.Errorf("%s.queries[%d].qct_us: %d must be > 0 (and under 1000 s)", at, j, q.QCTUS)
			}
			if q.StartSkewUS < 0 || q.FirstConnUS < 0 || q.LastWriteUS < 0 || q.TCDrops < 0 {
				return fmt.Errorf("%s.queries[%d]: first_connect_us, start_skew_us, last_write_us and tc_drops must be >= 0", at, j)
			}
		}
		if done == 0 {
			return fmt.Errorf("%s.queries: none finished", at)
		}
		if c.TCDrops < 0 || c.TCPackets < 0 {
			return fmt.Errorf("%s: tc_drops and tc_packets must be >= 0", at)
		}
		for _, k := range IncastCounters {
			v, ok := c.Counters[k.Name]
			if !ok && k.Required {
				return fmt.Errorf("%s.tcp_counters: no %s", at, k.Name)
			}
			if v < 0 {
				return fmt.Errorf("%s.tcp_counters.%s: %d must be >= 0", at, k.Name, v)
			}
		}
	}
	return nil
}

// Save writes dir/incast.json whole or not at all.
func (r *IncastRun) Save(dir string) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return writeWhole(filepath.Join(dir, IncastFile), append(b, '\n'))
}

// meanNaN is the mean, NaN for no values.
func meanNaN(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// IncastRow is one configuration's comparison; per-query columns are
// totals over the queries (measured: all the configuration's queries;
// simulated: the queries started, completed or not) divided by them. A
// value not available is NaN (the table shows "-").
type IncastRow struct {
	Senders     int
	BufferBytes int64
	// Queries finished and unfinished (measured), and completed
	// (simulated, over its whole run).
	Queries, Unfinished, SimQueries int
	// QCT in milliseconds.
	MeasP50, MeasP90, MeasMean float64
	SimP50, SimP90, SimMean    float64
	ErrP50Pct, ErrMeanPct      float64 // (simulated - measured) / measured
	// Per query.
	MeasDrops, SimDrops       float64 // measured: the bottleneck tbf's; simulated: the switch's
	MeasRetrans, SimRetrans   float64
	MeasTimeouts, SimTimeouts float64
	MeasProbes, SimProbes     float64
	// The measured start skew's median, microseconds.
	SkewP50US float64
}

// MeasuredIncast is every configuration's measured columns (the
// simulated ones NaN), in the record's order.
func MeasuredIncast(r *IncastRun) []IncastRow {
	rows := make([]IncastRow, len(r.Configs))
	for i, c := range r.Configs {
		var qct, skew []float64
		un := 0
		for _, q := range c.Queries {
			if q.Unfinished {
				un++
				continue
			}
			qct = append(qct, float64(q.QCTUS)/1000)
			skew = append(skew, float64(q.StartSkewUS))
		}
		slices.Sort(qct)
		slices.Sort(skew)
		n := float64(len(c.Queries))
		nan := math.NaN()
		rows[i] = IncastRow{Senders: c.Senders, BufferBytes: c.BufferBytes, Queries: len(qct), Unfinished: un,
			MeasP50: sim.Quantile(0.5, qct), MeasP90: sim.Quantile(0.9, qct), MeasMean: meanNaN(qct),
			MeasDrops: float64(c.TCDrops) / n, MeasRetrans: float64(c.Counters[CtrRetransSegs]) / n,
			MeasTimeouts: float64(c.Counters[CtrTimeouts]) / n, MeasProbes: float64(c.Counters[CtrLossProbes]) / n,
			SkewP50US: sim.Quantile(0.5, skew),
			SimP50:    nan, SimP90: nan, SimMean: nan, ErrP50Pct: nan, ErrMeanPct: nan,
			SimDrops: nan, SimRetrans: nan, SimTimeouts: nan, SimProbes: nan}
	}
	return rows
}

// The simulated queries: a Poisson process at incastQueryRate over
// incastSimDuration, 120 queries expected (60 at least, CompareIncast
// checks). The testbed's queries never overlap; at this rate the next
// query arrives within 0.5 s (about twice the QCTs measured) of one in
// 1% of cases (at 0.2/s: 10%, and they share the bottleneck), and idle
// simulated time costs nothing.
const (
	incastQueryRate   = 0.02
	incastSimDuration = 6000 * time.Second
	incastSimWarmup   = time.Second
	// IncastMinSimQueries is the fewest simulated queries CompareIncast
	// accepts.
	IncastMinSimQueries = 60
)

// IncastScenario is the cnisim scenario (TOML) equivalent to
// configuration c of run r: nodes = senders + 1 on one switch at the
// run's rate; a link delay of a quarter of the measured idle handshake
// (a handshake crosses four links); frames counted as tbf counts them
// (the IP packet and a 14-byte Ethernet header); per-port buffers of
// buffer_bytes each (the model splits fabric.buffer_bytes evenly over the
// switch's nodes ports: models/network/fabric.go); the host plugin (no
// CNI datapath: the testbed's hosts are bare namespaces); cubic; the SYN
// schedule and the minimum RTO of the kernel's sysctls and its CONFIG_HZ
// (tcp.hz) where recorded;
// partition-aggregate queries of all the other nodes with the run's
// response size, and nothing else. Deterministic: seed 1, no CPU jitter.
//
// links says what the simulated links are: IncastSwitch, store-and-forward
// NICs and a switch port (what the testbed stands for), or IncastTBF, tbf
// links with the run's bucket (what it is built of: cluster.
// tbf_burst_frames), which separates the emulation's share of an error
// from the model's.
func IncastScenario(r *IncastRun, c IncastConfig, links IncastLinks) string {
	nodes := c.Senders + 1
	delay := r.LinkDelay()
	mtu := r.MTU
	if mtu == 0 {
		mtu = incastMTU
	}
	syn, rto := "exponential", 200*time.Millisecond
	if r.Sysctls["net/ipv4/tcp_syn_linear_timeouts"] == "4" {
		syn = "linear4"
	}
	var us int64
	if _, err := fmt.Sscan(r.Sysctls["net/ipv4/tcp_rto_min_us"], &us); err == nil && us > 0 {
		rto = time.Duration(us) * time.Microsecond
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# the testbed incast of %s (%s, kernel %s): %d workers x %d bytes at %g Mbit/s, bottleneck buffer %d bytes\n",
		IncastFile, r.Date, r.Kernel, c.Senders, r.Bytes, r.RateMbit, c.BufferBytes)
	fmt.Fprintf(&b, "name = %q\nseed = 1\nreplications = 1\nduration = %q\nwarmup = %q\n\n",
		fmt.Sprintf("testbed-incast-%dx%d", c.Senders, c.BufferBytes), scenario.FormatDuration(incastSimDuration), scenario.FormatDuration(incastSimWarmup))
	fmt.Fprintf(&b, "[cluster]\nnodes = %d\nlink_gbps = %s\nlink_delay = %q\nmtu = %d\nframe_overhead = %d\ncpu_jitter = 0.0\n",
		nodes, scenario.Format(r.RateMbit/1000), scenario.FormatDuration(delay), mtu, incastFrameOverhead)
	if links == IncastTBF {
		fmt.Fprintf(&b, "tbf_burst_frames = %d # the testbed's tbf buckets (%d bytes)\n", r.burstFrames(mtu), r.BurstBytes)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "[fabric]\nkind = \"switch\"\nbuffer = \"per-port\"\nbuffer_bytes = %d # %d per port x %d ports\n\n",
		c.BufferBytes*int64(nodes), c.BufferBytes, nodes)
	b.WriteString("[cni]\nplugin = \"host\"\n\n")
	fmt.Fprintf(&b, "[tcp]\ncongestion = \"cubic\"\nsyn_schedule = %q\nmin_rto = %q\n", syn, scenario.FormatDuration(rto))
	if r.HZ > 0 {
		fmt.Fprintf(&b, "hz = %d # the kernel's CONFIG_HZ: its TCP timers fire on ticks\n", r.HZ)
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "[workload]\nkind = \"tcp_stream\"\npattern = \"none\"\nquery_rate = %s\nquery_fanin = 0\nquery_bytes = %d\n",
		scenario.Format(incastQueryRate), r.Bytes)
	return b.String()
}

// IncastLinks are the links CompareIncast simulates.
type IncastLinks string

const (
	IncastSwitch IncastLinks = "switch" // store-and-forward NICs and switch port
	IncastTBF    IncastLinks = "tbf"    // tbf links with the run's bucket, as the testbed is built
)

// IncastLinkModels are the allowed IncastLinks.
var IncastLinkModels = []IncastLinks{IncastSwitch, IncastTBF}

// burstFrames is the run's tbf bucket in full-sized frames (at least one).
func (r *IncastRun) burstFrames(mtu int) int {
	return max(1, int(r.BurstBytes/int64(mtu+incastFrameOverhead)))
}

// LinkDelay is the simulated links' one-way delay: a quarter of the
// idle handshake (SYN and SYN-ACK cross two links each), to the
// nanosecond.
func (r *IncastRun) LinkDelay() time.Duration {
	return time.Duration(math.Round(r.IdleRTTUS * 1000 / 4))
}

// Simulated metrics CompareIncast reads (the names of package results:
// tcp_timeouts and tcp_loss_probes may be absent from a simulator that
// does not count them, and their columns are then empty).
const (
	simQCT        = "query_completion_us"
	simCompleted  = "queries_completed"
	simUnfinished = "queries_unfinished"
	simRetrans    = "retransmissions"
	simTimeouts   = "tcp_timeouts"
	simProbes     = "tcp_loss_probes"
	simDrops      = "drops_by_place"
	simDropsAt    = "switch"
)

// CompareIncast simulates every configuration of r with the links given
// (IncastScenario, in process) and returns its rows: the measured columns of MeasuredIncast
// and the simulated ones.
//
// overrides set scenario keys in every configuration's scenario after it
// is built (cnisim testbed incast compare --set: tcp.rto_from_head=true,
// say), as cnisim run's --set does.
func CompareIncast(ctx context.Context, r *IncastRun, links IncastLinks, overrides ...scenario.Override) ([]IncastRow, error) {
	if !slices.Contains(IncastLinkModels, links) {
		return nil, fmt.Errorf("links %q: want one of %v", links, IncastLinkModels)
	}
	if links == IncastTBF && r.BurstBytes <= 0 {
		return nil, fmt.Errorf("links %q: the run does not record its tbf bucket (tbf_burst_bytes)", links)
	}
	rows := MeasuredIncast(r)
	for i, c := range r.Configs {
		name := fmt.Sprintf("senders %d, buffer %d", c.Senders, c.BufferBytes)
		plan, err := scenario.Load(fmt.Sprintf("incast-%dx%d.toml", c.Senders, c.BufferBytes), []byte(IncastScenario(r, c, links)),
			scenario.Options{Overrides: overrides})
		if err != nil {
			return nil, fmt.Errorf("%s: the equivalent scenario: %w", name, err)
		}
		sc := plan.Base
		s, err := simulate.Run(ctx, sc, 0, sc.Seed)
		if err != nil {
			return nil, fmt.Errorf("%s: simulate: %w", name, err)
		}
		qct := slices.Clone(s.Dists[simQCT])
		started := s.Scalars[simCompleted] + s.Scalars[simUnfinished]
		if len(qct) < IncastMinSimQueries || !(started > 0) {
			return nil, fmt.Errorf("%s: the simulation measured %d queries, want %d or more", name, len(qct), IncastMinSimQueries)
		}
		for j := range qct {
			qct[j] /= 1000
		}
		slices.Sort(qct)
		row := &rows[i]
		row.SimQueries = len(qct)
		row.SimP50, row.SimP90, row.SimMean = sim.Quantile(0.5, qct), sim.Quantile(0.9, qct), meanNaN(qct)
		row.ErrP50Pct = 100 * (row.SimP50 - row.MeasP50) / row.MeasP50
		row.ErrMeanPct = 100 * (row.SimMean - row.MeasMean) / row.MeasMean
		per := func(v float64, ok bool) float64 {
			if !ok {
				return math.NaN()
			}
			return v / started
		}
		d, ok := s.Groups[simDrops][simDropsAt]
		row.SimDrops = per(d, ok)
		v, ok := s.Scalars[simRetrans]
		row.SimRetrans = per(v, ok)
		v, ok = s.Scalars[simTimeouts]
		row.SimTimeouts = per(v, ok)
		v, ok = s.Scalars[simProbes]
		row.SimProbes = per(v, ok)
	}
	return rows, nil
}

// fmtNum formats a value, "-" for NaN.
func fmtNum(format string, v float64) string {
	if math.IsNaN(v) {
		return "-"
	}
	return fmt.Sprintf(format, v)
}

// IncastTable is the comparison as a markdown table.
func IncastTable(rows []IncastRow) string {
	var b strings.Builder
	b.WriteString("| senders | buffer bytes | queries meas (unfinished) / sim | QCT p50 ms meas / sim | QCT p90 ms meas / sim | QCT mean ms meas / sim | p50 error | mean error | drops/query meas / sim | retrans/query meas / sim | timeouts/query meas / sim | loss probes/query meas / sim |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	pair := func(f string, m, s float64) string { return fmtNum(f, m) + " / " + fmtNum(f, s) }
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %d | %d (%d) / %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Senders, r.BufferBytes, r.Queries, r.Unfinished, r.SimQueries,
			pair("%.1f", r.MeasP50, r.SimP50), pair("%.1f", r.MeasP90, r.SimP90), pair("%.1f", r.MeasMean, r.SimMean),
			fmtNum("%+.0f%%", r.ErrP50Pct), fmtNum("%+.0f%%", r.ErrMeanPct),
			pair("%.1f", r.MeasDrops, r.SimDrops), pair("%.1f", r.MeasRetrans, r.SimRetrans),
			pair("%.2f", r.MeasTimeouts, r.SimTimeouts), pair("%.2f", r.MeasProbes, r.SimProbes))
	}
	return b.String()
}

// IncastMeasuredTable is the measured columns alone as a markdown table
// (the start skew's median among them).
func IncastMeasuredTable(rows []IncastRow) string {
	var b strings.Builder
	b.WriteString("| senders | buffer bytes | queries | unfinished | QCT p50 ms | QCT p90 ms | QCT mean ms | start skew p50 us | drops/query | retrans/query | timeouts/query | loss probes/query |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n", r.Senders, r.BufferBytes, r.Queries, r.Unfinished,
			fmtNum("%.1f", r.MeasP50), fmtNum("%.1f", r.MeasP90), fmtNum("%.1f", r.MeasMean), fmtNum("%.0f", r.SkewP50US),
			fmtNum("%.1f", r.MeasDrops), fmtNum("%.1f", r.MeasRetrans), fmtNum("%.2f", r.MeasTimeouts), fmtNum("%.2f", r.MeasProbes))
	}
	return b.String()
}

// configHZ reads CONFIG_HZ from a kernel configuration; 0 if absent.
func configHZ(cfg io.Reader) int {
	sc := bufio.NewScanner(cfg)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "CONFIG_HZ="); ok {
			if hz, err := strconv.Atoi(v); err == nil && hz > 0 {
				return hz
			}
		}
	}
	return 0
}
