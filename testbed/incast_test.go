package testbed

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/scenario"
)

func TestIncastOptionsValidate(t *testing.T) {
	if err := DefaultIncastOptions().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, c := range []struct {
		name string
		set  func(*IncastOptions)
		msg  string // "" valid
	}{
		{"two sender counts", func(o *IncastOptions) { o.Senders = []int{4, 8} }, ""},
		{"one sender, one frame", func(o *IncastOptions) { o.Senders, o.Buffers = []int{1}, []int64{1514} }, ""},
		{"largest", func(o *IncastOptions) {
			o.Senders, o.Buffers, o.RateMbit, o.Bytes = []int{32}, []int64{64 << 20}, 1000, 16<<20
		}, ""},
		{"no gap", func(o *IncastOptions) { o.Gap = 0 }, ""},
		{"one-frame bucket", func(o *IncastOptions) { o.BurstFrames = 1 }, ""},
		{"no bucket", func(o *IncastOptions) { o.BurstFrames = 0 }, "burst-frames: 0 is not in 1..16"},
		{"bucket too deep", func(o *IncastOptions) { o.BurstFrames = 17 }, "burst-frames: 17 is not in 1..16"},
		{"no senders", func(o *IncastOptions) { o.Senders = nil }, "senders: at least one count, each 1..32"},
		{"zero senders", func(o *IncastOptions) { o.Senders = []int{0} }, "senders: 0 is not in 1..32"},
		{"too many senders", func(o *IncastOptions) { o.Senders = []int{33} }, "senders: 33 is not in 1..32"},
		{"senders twice", func(o *IncastOptions) { o.Senders = []int{4, 8, 4} }, "senders: 4 given twice"},
		{"no buffers", func(o *IncastOptions) { o.Buffers = nil }, "buffers: at least one size, each 1514..67108864 bytes"},
		{"buffer under a frame", func(o *IncastOptions) { o.Buffers = []int64{1513} }, "buffers: 1513 is not in 1514..67108864"},
		{"buffer too large", func(o *IncastOptions) { o.Buffers = []int64{64<<20 + 1} }, "buffers: 67108865 is not in"},
		{"buffer twice", func(o *IncastOptions) { o.Buffers = []int64{24000, 24000} }, "buffers: 24000 given twice"},
		{"rate 0", func(o *IncastOptions) { o.RateMbit = 0 }, "rate-mbit: 0 is not in 0.1..1000 Mbit/s"},
		{"rate NaN", func(o *IncastOptions) { o.RateMbit = math.NaN() }, "rate-mbit: NaN is not in"},
		{"rate too fast", func(o *IncastOptions) { o.RateMbit = 1001 }, "rate-mbit: 1001 is not in"},
		{"no bytes", func(o *IncastOptions) { o.Bytes = 0 }, "bytes: 0 is not in 1..16777216"},
		{"too many bytes", func(o *IncastOptions) { o.Bytes = 16<<20 + 1 }, "bytes: 16777217 is not in"},
		{"no queries", func(o *IncastOptions) { o.Queries = 0 }, "queries: 0 is not in 1..10000"},
		{"too many queries", func(o *IncastOptions) { o.Queries = 10001 }, "queries: 10001 is not in"},
		{"negative gap", func(o *IncastOptions) { o.Gap = -time.Millisecond }, "gap: -1ms is not in 0s..1m0s"},
		{"long gap", func(o *IncastOptions) { o.Gap = time.Hour }, "gap: 1h0m0s is not in"},
		{"short timeout", func(o *IncastOptions) { o.Timeout = time.Millisecond }, "timeout: 1ms is not in 100ms..5m"},
		{"no RTTs", func(o *IncastOptions) { o.RTTs = 0 }, "rtts: 0 is not in 1..1000"},
	} {
		o := DefaultIncastOptions()
		c.set(&o)
		err := o.Validate()
		switch {
		case c.msg == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.msg != "" && (err == nil || !strings.Contains(err.Error(), c.msg)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.msg)
		}
	}
}

func TestMeanNaN(t *testing.T) {
	if m := meanNaN([]float64{1, 2, 6}); m != 3 || !math.IsNaN(meanNaN(nil)) {
		t.Errorf("meanNaN: %v", m)
	}
}

// incastFixture is a small run of two configurations.
func incastFixture() *IncastRun {
	ctr := func(rtx, to, tlp int64) map[string]int64 {
		return map[string]int64{CtrRetransSegs: rtx, CtrTimeouts: to, CtrLossProbes: tlp, CtrSackRecovery: 1, CtrLostRetransmit: 0}
	}
	return &IncastRun{Date: "2026-01-01T00:00:00Z", Kernel: "6.18", RateMbit: 10, Bytes: 20000, IdleRTTUS: 160, MTU: 1500,
		Sysctls: map[string]string{"net/ipv4/tcp_syn_linear_timeouts": "4", "net/ipv4/tcp_rto_min_us": "200000"},
		Configs: []IncastConfig{
			{Senders: 4, BufferBytes: 256000, TCDrops: 0, Counters: ctr(0, 0, 4), Queries: []IncastQuery{{QCTUS: 70000, StartSkewUS: 100, ResponsesUS: []int64{60000, 65000, 69000, 70000}}, {QCTUS: 68000, StartSkewUS: 300}, {QCTUS: 69000, StartSkewUS: 200}}},
			{Senders: 8, BufferBytes: 24000, TCDrops: 300, Counters: ctr(320, 8, 40), Queries: []IncastQuery{{QCTUS: 250000, StartSkewUS: 150}, {QCTUS: 270000, StartSkewUS: 250}, {Unfinished: true}, {QCTUS: 290000}}},
		}}
}

// The scenario parses and carries the configuration: nodes, rate,
// delay (a quarter of the idle handshake), framing, per-port buffers
// (times the ports), the kernel's SYN schedule and minimum RTO, the
// queries.
func TestIncastScenario(t *testing.T) {
	r := incastFixture()
	text := IncastScenario(r, r.Configs[1], IncastSwitch)
	sc, err := scenario.Decode("incast.toml", []byte(text))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"seed", sc.Seed, uint64(1)}, {"replications", sc.Replications, 1},
		{"nodes", sc.Cluster.Nodes, 9}, {"link_gbps", sc.Cluster.LinkGbps, 0.01},
		{"link_delay", sc.Cluster.LinkDelay, 40 * time.Microsecond}, {"mtu", sc.Cluster.MTU, 1500},
		{"frame_overhead", sc.Cluster.FrameOverhead, 14}, {"cpu_jitter", sc.Cluster.CPUJitter, 0.0},
		{"fabric.kind", sc.Fabric.Kind, "switch"}, {"fabric.buffer", sc.Fabric.Buffer, "per-port"},
		{"fabric.buffer_bytes", sc.Fabric.BufferBytes, int64(24000 * 9)},
		{"cni.plugin", sc.CNI.Plugin, "host"}, {"tcp.congestion", sc.TCP.Congestion, "cubic"},
		{"tcp.syn_schedule", sc.TCP.SynSchedule, "linear4"}, {"tcp.min_rto", sc.TCP.MinRTO, 200 * time.Millisecond},
		{"workload.kind", sc.Workload.Kind, "tcp_stream"}, {"workload.pattern", sc.Workload.Pattern, "none"},
		{"query_rate", sc.Workload.QueryRate, incastQueryRate}, {"query_fanin", sc.Workload.QueryFanIn, 0},
		{"query_bytes", sc.Workload.QueryBytes, int64(20000)},
		{"tbf_burst_frames", sc.Cluster.TBFBurstFrames, 0},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	// the links as built: tbf with the run's bucket, in frames
	for _, tc := range []struct {
		bucket int64
		frames int
	}{{IncastFrameBytes, 1}, {3 * IncastFrameBytes, 3}, {IncastFrameBytes / 2, 1}} {
		r.BurstBytes = tc.bucket
		sc, err := scenario.Decode("incast.toml", []byte(IncastScenario(r, r.Configs[1], IncastTBF)))
		if err != nil || sc.Cluster.TBFBurstFrames != tc.frames {
			t.Errorf("bucket %d bytes: tbf_burst_frames %d (%v), want %d", tc.bucket, sc.Cluster.TBFBurstFrames, err, tc.frames)
		}
	}
	for _, tc := range []struct {
		links  IncastLinks
		bucket int64
		want   string
	}{{"wire", IncastFrameBytes, `links "wire": want one of [switch tbf]`}, {IncastTBF, 0, "does not record its tbf bucket"}} {
		r.BurstBytes = tc.bucket
		if _, err := CompareIncast(context.Background(), r, tc.links); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("links %q, bucket %d: %v, want %q", tc.links, tc.bucket, err, tc.want)
		}
	}
	r.BurstBytes = IncastFrameBytes
	if q := sc.Workload.QueryRate * (sc.Duration - sc.Warmup).Seconds(); q < 100 {
		t.Errorf("%v queries expected, want 100 or more (the comparison refuses under %d)", q, IncastMinSimQueries)
	}
	// without the sysctls: Linux's older defaults
	r.Sysctls = nil
	r.IdleRTTUS = 2
	sc, err = scenario.Decode("incast.toml", []byte(IncastScenario(r, r.Configs[0], IncastSwitch)))
	if err != nil {
		t.Fatal(err)
	}
	if sc.TCP.SynSchedule != "exponential" || sc.TCP.MinRTO != 200*time.Millisecond || sc.Cluster.Nodes != 5 ||
		sc.Cluster.LinkDelay != 500*time.Nanosecond || sc.Fabric.BufferBytes != 256000*5 {
		t.Errorf("no sysctls: %+v %+v %+v", sc.TCP, sc.Cluster, sc.Fabric)
	}
}

func TestMeasuredIncast(t *testing.T) {
	rows := MeasuredIncast(incastFixture())
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	a, b := rows[0], rows[1]
	if a.Queries != 3 || a.Unfinished != 0 || a.MeasP50 != 69 || a.MeasMean != 69 || a.SkewP50US != 200 || a.MeasDrops != 0 || a.MeasProbes != 4.0/3 {
		t.Errorf("row 0: %+v", a)
	}
	// unfinished queries: out of the QCTs, in the per-query counts
	if b.Queries != 3 || b.Unfinished != 1 || b.MeasP50 != 270 || b.MeasMean != 270 || b.MeasDrops != 75 || b.MeasRetrans != 80 || b.MeasTimeouts != 2 {
		t.Errorf("row 1: %+v", b)
	}
	if !math.IsNaN(b.SimP50) || !math.IsNaN(b.SimDrops) {
		t.Errorf("simulated columns set: %+v", b)
	}
	tab := IncastMeasuredTable(rows)
	// p90 of three: the largest (sim.Quantile's empirical quantile, as
	// every quantile cnisim reports, simulated or measured)
	if !strings.Contains(tab, "| 8 | 24000 | 3 | 1 | 270.0 | 290.0 | 270.0 | 150 | 75.0 | 80.0 | 2.00 | 10.00 |") {
		t.Errorf("measured table:\n%s", tab)
	}
	if full := IncastTable(rows); !strings.Contains(full, "| 270.0 / - |") || strings.Count(full, "\n") != 4 {
		t.Errorf("table:\n%s", full)
	}
}

// The comparison simulates each configuration: a row each, every number
// finite (the simulator's values are not pinned: its TCP model changes).
func TestCompareIncastFixture(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: simulates two configurations")
	}
	rows, err := CompareIncast(context.Background(), incastFixture(), IncastSwitch)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		for _, v := range []float64{r.SimP50, r.SimP90, r.SimMean, r.ErrP50Pct, r.ErrMeanPct, r.SimDrops, r.SimRetrans} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < -100 {
				t.Errorf("row %+v: a simulated value %v", r, v)
			}
		}
		if r.SimQueries < IncastMinSimQueries {
			t.Errorf("%d simulated queries", r.SimQueries)
		}
	}
	// 4 x 20,000 bytes at 10 Mbit/s through an ample buffer: at least the
	// bytes' serialisation, no drop
	if r := rows[0]; r.SimP50 < 64 || r.SimDrops != 0 {
		t.Errorf("4 senders, 256000 bytes: p50 %v ms, %v drops per query", r.SimP50, r.SimDrops)
	}
}

func TestParseIncastErrors(t *testing.T) {
	good, err := json.Marshal(incastFixture())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseIncast("x.json", good); err != nil {
		t.Fatalf("fixture: %v", err)
	}
	edit := func(f func(*IncastRun)) []byte {
		r := incastFixture()
		f(r)
		b, _ := json.Marshal(r)
		return b
	}
	for _, c := range []struct {
		b   []byte
		msg string
	}{
		{[]byte(`{`), "x.json: unexpected EOF"},
		{[]byte(`{"rate_mbit": "10"}`), "x.json: json: cannot unmarshal string into Go struct field IncastRun.rate_mbit"},
		{[]byte(`{"rate": 10}`), `x.json: json: unknown field "rate"`},
		{append(append([]byte{}, good...), good...), "x.json: data after the record"},
		{edit(func(r *IncastRun) { r.RateMbit = 0 }), "x.json: rate_mbit: 0 is not in 0.1..1000"},
		{edit(func(r *IncastRun) { r.Bytes = 0 }), "x.json: bytes: 0 is not in"},
		{edit(func(r *IncastRun) { r.IdleRTTUS = 0 }), "x.json: idle_rtt_us: 0 must be > 0"},
		{edit(func(r *IncastRun) { r.Configs = nil }), "x.json: configs: none"},
		{edit(func(r *IncastRun) { r.Configs[1].Senders = 0 }), "x.json: configs[1].senders: 0 is not in 1..32"},
		{edit(func(r *IncastRun) { r.Configs[0].BufferBytes = 100 }), "x.json: configs[0].buffer_bytes: 100 is not in"},
		{edit(func(r *IncastRun) { r.Configs[1] = r.Configs[0] }), "x.json: configs[1]: senders 4, buffer_bytes 256000 again (configs[0])"},
		{edit(func(r *IncastRun) { r.Configs[0].Queries = nil }), "x.json: configs[0].queries: none"},
		{edit(func(r *IncastRun) { r.Configs[0].Queries[2].QCTUS = 0 }), "x.json: configs[0].queries[2].qct_us: 0 must be > 0"},
		{edit(func(r *IncastRun) { r.Configs[1].Queries[2].QCTUS = 5 }), "x.json: configs[1].queries[2].qct_us: 5 on an unfinished query"},
		{edit(func(r *IncastRun) { r.Configs[0].Queries[1].StartSkewUS = -1 }), "x.json: configs[0].queries[1]: first_connect_us, start_skew_us"},
		{edit(func(r *IncastRun) {
			for i := range r.Configs[0].Queries {
				r.Configs[0].Queries[i] = IncastQuery{Unfinished: true}
			}
		}), "x.json: configs[0].queries: none finished"},
		{edit(func(r *IncastRun) { r.Configs[0].Queries[0].ResponsesUS = []int64{2, 1} }), "x.json: configs[0].queries[0].responses_us: want at most 4 times >= 0, sorted"},
		{edit(func(r *IncastRun) { r.Configs[0].Queries[0].ResponsesUS = []int64{1, 2, 3, 4} }), "x.json: configs[0].queries[0].responses_us: a finished query's are 4 times ending at qct_us 70000"},
		{edit(func(r *IncastRun) { r.Configs[0].Queries[0].TCDrops = -1 }), "x.json: configs[0].queries[0]: first_connect_us, start_skew_us, last_write_us and tc_drops must be >= 0"},
		{edit(func(r *IncastRun) { r.Configs[1].TCDrops = -1 }), "x.json: configs[1]: tc_drops and tc_packets must be >= 0"},
		{edit(func(r *IncastRun) { delete(r.Configs[0].Counters, CtrTimeouts) }), "x.json: configs[0].tcp_counters: no TcpExtTCPTimeouts"},
		{edit(func(r *IncastRun) { r.Configs[0].Counters[CtrLossProbes] = -2 }), "x.json: configs[0].tcp_counters.TcpExtTCPLossProbes: -2 must be >= 0"},
	} {
		_, err := ParseIncast("x.json", c.b)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("error %v, want %q", err, c.msg)
		}
	}
}

func TestIncastSaveLoad(t *testing.T) {
	dir := t.TempDir()
	r := incastFixture()
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := LoadIncast(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Configs) != 2 || got.Configs[1].Queries[2].Unfinished != true || got.IdleRTTUS != 160 {
		t.Errorf("loaded %+v", got)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("files left beside %s: %v", IncastFile, ents)
	}
	if _, err := LoadIncast(filepath.Join(dir, "none")); err == nil {
		t.Error("a missing directory loaded")
	}
}

// FuzzParseIncast: an incast.json is read or refused with an error
// naming the file, never a panic; what is read checks clean after a
// round trip and gives a row per configuration.
func FuzzParseIncast(f *testing.F) {
	good, _ := json.Marshal(incastFixture())
	f.Add(good) // not the recorded run's incast.json: its 47 KB slow the fuzzer to a few executions a second
	f.Add([]byte(`{"rate_mbit":10,"bytes":1,"idle_rtt_us":1,"configs":[{"senders":1,"buffer_bytes":1514,"queries":[{"qct_us":1}],"tcp_counters":{}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseIncast("i.json", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "i.json: ") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseIncast("again", again); err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if rows := MeasuredIncast(r); len(rows) != len(r.Configs) {
			t.Fatalf("%d rows for %d configurations", len(rows), len(r.Configs))
		}
		for _, c := range r.Configs {
			_ = IncastScenario(r, c, IncastTBF)
		}
	})
}
