package testbed

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
)

const run4Profile = "testdata/run4/profile.toml"

func TestRRScenario(t *testing.T) {
	c, _ := ParseConfig("nft-1000")
	sc, err := RRScenario(c, KindUDPRR, run4Profile, 2.5)
	if err != nil {
		t.Fatal(err)
	}
	if sc.CNI.Plugin != "calico" || sc.CNI.Mode != "native" || sc.Workload.Placement != "intra" || sc.Workload.Kind != "udp_rr" ||
		sc.CNI.PolicyRules != 1000 || sc.CNI.PolicyEngine != "nftables" || !sc.CNI.Policy || sc.Cluster.CoresPerNode != 1 ||
		sc.Cluster.CPUGHz != 2.5 || sc.Cluster.LinkDelay != 0 || sc.Cluster.CPUJitter != 0 || sc.Workload.MessageBytes != 1 {
		t.Errorf("scenario %+v", sc)
	}
	for _, bad := range []struct {
		kind string
		ghz  float64
		want string
	}{{"tcp_stream", 2.5, "RR kind"}, {KindTCPRR, 0, "cpu_ghz"}} {
		if _, err := RRScenario(c, bad.kind, run4Profile, bad.ghz); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s at %v GHz: %v, want %q", bad.kind, bad.ghz, err, bad.want)
		}
	}
}

// TestPredictRR: an RR transaction on one core with no wire delay is
// CPU-bound, so doubling the clock halves the latency (per-byte costs
// scale with the clock too); rules only add to it.
func TestPredictRR(t *testing.T) {
	ctx := context.Background()
	lat := func(name string, ghz float64) float64 {
		t.Helper()
		c, err := ParseConfig(name)
		if err != nil {
			t.Fatal(err)
		}
		v, err := PredictRR(ctx, c, KindTCPRR, run4Profile, ghz)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	r1, r2 := lat("routed", 2.5), lat("routed", 5)
	if !(r1 > 5 && r1 < 100) || math.Abs(r1/r2-2) > 0.02 {
		t.Errorf("routed TCP_RR %.2f us at 2.5 GHz, %.2f at 5: want 5-100 us and a ratio of 2", r1, r2)
	}
	if a, b := lat("ipt-legacy-0", 2.5), lat("ipt-legacy-5000", 2.5); !(b > a) {
		t.Errorf("5000 rules %.2f us, 0 rules %.2f", b, a)
	}
	c, _ := ParseConfig("routed")
	if _, err := PredictRR(ctx, c, KindTCPRR, "no-such-profile", 2.5); err == nil || !strings.Contains(err.Error(), "calibration.profile") {
		t.Errorf("unknown profile: %v", err)
	}
}

// TestAddRR fills the RR columns from the committed run: a row per
// configuration predicted, the error against the measured mean, the
// summary over them, UDP_RR n/a (the rows carry no UDP_RR measurement), JSON without NaN.
func TestAddRR(t *testing.T) {
	r, err := Load("testdata/run4")
	if err != nil {
		t.Fatal(err)
	}
	rep := &Report{}
	for _, n := range []string{"routed", "nft-100"} {
		m, _ := r.Measurement(n)
		row := Row{Name: n, RRLatencyUS: m.RRLatencyUS()}
		row.noRR()
		if n == "routed" {
			row.RRCPUUS = 20
		}
		rep.Rows = append(rep.Rows, row)
	}
	if err := rep.AddRR(context.Background(), r, run4Profile); err != nil {
		t.Fatal(err)
	}
	for _, row := range rep.Rows {
		want := 100 * (row.RRPredictedUS - row.RRLatencyUS) / row.RRLatencyUS
		if !(row.RRPredictedUS > 0) || math.Abs(row.RRErr-want) > 1e-9 || !math.IsNaN(row.UDPRRPredictedUS) {
			t.Errorf("%s: %+v", row.Name, row)
		}
	}
	if r0 := rep.Rows[0]; math.Abs(r0.RRCPUErr-100*(r0.RRPredictedUS-20)/20) > 1e-9 || !math.IsNaN(rep.Rows[1].RRCPUErr) {
		t.Errorf("busy-CPU errors %v, %v", r0.RRCPUErr, rep.Rows[1].RRCPUErr)
	}
	if rep.TCPRR.N != 2 || rep.UDPRR.N != 0 || rep.TCPRRCPU.N != 1 || rep.RRRule == "" {
		t.Errorf("summaries %+v %+v", rep.TCPRR, rep.UDPRR)
	}
	if _, err := json.Marshal(rep); err != nil {
		t.Error(err)
	}
	var b strings.Builder
	if err := rep.WriteTable(&b); err != nil || !strings.Contains(b.String(), "TCP_RR us predicted") || !strings.Contains(b.String(), "target: <= 20%") {
		t.Errorf("table:\n%s (%v)", b.String(), err)
	}
	rep.Rows = append(rep.Rows, Row{Name: "bridge"})
	rep.Rows[2].noRR()
	r.Configs = r.Configs[:1]
	if err := rep.AddRR(context.Background(), r, run4Profile); err == nil || !strings.Contains(err.Error(), "not in the run") {
		t.Errorf("row missing from the run: %v", err)
	}
}

// TestValidateUnpricedEngine: a rule engine no profile can price
// (iptables-nft) gets no profile prediction and a note, and stays out of
// the profile summary; its leave-one-out row is kept.
func TestValidateUnpricedEngine(t *testing.T) {
	r, err := Load("testdata/run4")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := CalibrateAll(r, "testdata/run4")
	if err != nil {
		t.Fatal(err)
	}
	p, err := calibration.Load(run4Profile)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := r.Measurement("ipt-legacy-100")
	m.Config, _ = ParseConfig("ipt-nft-100")
	rep, err := Validate(r, cs, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rep.Rows {
		if row.Name == "ipt-nft-100" && (!math.IsNaN(row.ProfileCPP) || !math.IsNaN(row.ProfileErr)) {
			t.Errorf("ipt-nft-100 profile prediction %v", row.ProfileCPP)
		}
	}
	nft := 0 // the run's own ipt-nft-N rows and the relabelled one
	for _, row := range rep.Rows {
		if c, err := ParseConfig(row.Name); err == nil && c.Engine == "iptables-nft" {
			nft++
		}
	}
	if nft < 2 || rep.Profile.N != len(rep.Rows)-nft || len(rep.ProfileNotes) != nft || !strings.Contains(rep.ProfileNotes[0], "no rule cost for iptables-nft") {
		t.Errorf("profile summary over %d of %d rows (%d iptables-nft), notes %q", rep.Profile.N, len(rep.Rows), nft, rep.ProfileNotes)
	}
}

// TestAddRRLeaveOneOut: a row's held-out RR prediction does not depend on
// its own point (scaling that point's costs tenfold leaves it, and moves
// another row's), and the rows are summarised.
func TestAddRRLeaveOneOut(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: simulates TCP_RR and UDP_RR per configuration")
	}
	r, err := Load("testdata/run9")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := CalibrateAll(r, "testdata/run9")
	if err != nil {
		t.Fatal(err)
	}
	points := Points(cs)
	run := func(points []Point) *Report {
		t.Helper()
		rep := &Report{}
		for _, n := range []string{"routed", "ebpf-peer"} {
			m, _ := r.Measurement(n)
			row := Row{Name: n, RRLatencyUS: m.RRLatencyUS(), UDPRRLatencyUS: m.UDP.RRLatencyUS()}
			row.noRR()
			row.setUDP(m)
			rep.Rows = append(rep.Rows, row)
		}
		if err := rep.AddRRLeaveOneOut(context.Background(), r, points); err != nil {
			t.Fatal(err)
		}
		return rep
	}
	base := run(points)
	if base.TCPRRLOO.N != 2 || base.UDPRRLOO.N != 2 || base.UDPStreamLOO.N != 2 || len(base.RRNotes) != 0 {
		t.Fatalf("summaries %+v %+v %+v, notes %v", base.TCPRRLOO, base.UDPRRLOO, base.UDPStreamLOO, base.RRNotes)
	}
	for _, row := range base.Rows {
		want := 100 * (row.RRLOOUS - row.RRLatencyUS) / row.RRLatencyUS
		if !(row.RRLOOUS > 0) || math.Abs(row.RRLOOErr-want) > 1e-9 {
			t.Errorf("%s: %+v", row.Name, row)
		}
	}
	scaled := append([]Point(nil), points...)
	for i := range scaled {
		if scaled[i].Name == "routed" {
			st := map[string]Use{}
			for k, u := range scaled[i].Stages {
				u.Cycles *= 10
				st[k] = u
			}
			scaled[i].Stages = st
		}
	}
	moved := run(scaled)
	if moved.Rows[0].RRLOOUS != base.Rows[0].RRLOOUS {
		t.Errorf("routed's held-out TCP_RR moved with its own point: %v -> %v", base.Rows[0].RRLOOUS, moved.Rows[0].RRLOOUS)
	}
	if !(moved.Rows[1].RRLOOUS > base.Rows[1].RRLOOUS) {
		t.Errorf("ebpf-peer's held-out TCP_RR did not rise with routed's costs: %v -> %v", base.Rows[1].RRLOOUS, moved.Rows[1].RRLOOUS)
	}
	if moved.Rows[0].UDPLOO != base.Rows[0].UDPLOO {
		t.Errorf("routed's held-out UDP stream moved with its own point: %v -> %v", base.Rows[0].UDPLOO, moved.Rows[0].UDPLOO)
	}
	if !(moved.Rows[1].UDPLOO > base.Rows[1].UDPLOO) {
		t.Errorf("ebpf-peer's held-out UDP stream did not rise with routed's costs: %v -> %v", base.Rows[1].UDPLOO, moved.Rows[1].UDPLOO)
	}
}
