package fit

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	dp "github.com/cnisim/cnisim/models/datapath"
)

// truth is a cost vector in the paper's range (III.B/C, per crossing).
var truth = map[dp.Kind]float64{dp.Veth: 45, dp.Bridge: 250, dp.FIB: 200, dp.IPForward: 240,
	dp.Netfilter: 1400, dp.VXLAN: 900, dp.IPIP: 250, dp.EBPF: 700}

// configs cross the stages in different proportions (loosely modelled on
// the paper's datapaths; they only need to separate the stages).
var configs = []struct {
	name string
	c    map[dp.Kind]float64
}{
	{"flannel-intra", map[dp.Kind]float64{dp.Veth: 2, dp.Bridge: 1, dp.Netfilter: 1}},
	{"flannel-inter", map[dp.Kind]float64{dp.Veth: 2, dp.Bridge: 1, dp.FIB: 2, dp.IPForward: 2, dp.Netfilter: 2, dp.VXLAN: 2}},
	{"calico-intra", map[dp.Kind]float64{dp.Veth: 2, dp.FIB: 1, dp.IPForward: 1, dp.Netfilter: 1}},
	{"calico-ipip", map[dp.Kind]float64{dp.Veth: 2, dp.FIB: 2, dp.IPForward: 2, dp.Netfilter: 2, dp.IPIP: 2}},
	{"cilium-intra", map[dp.Kind]float64{dp.Veth: 2, dp.EBPF: 2}},
	{"cilium-inter", map[dp.Kind]float64{dp.Veth: 2, dp.EBPF: 3, dp.FIB: 1, dp.IPForward: 1, dp.VXLAN: 2}},
	{"kube-router", map[dp.Kind]float64{dp.Veth: 2, dp.Bridge: 2, dp.FIB: 3, dp.IPForward: 1, dp.Netfilter: 1}},
	{"weave-intra", map[dp.Kind]float64{dp.Veth: 4, dp.Bridge: 1, dp.Netfilter: 1}},
	{"flannel-host-gw", map[dp.Kind]float64{dp.Veth: 2, dp.Bridge: 1, dp.FIB: 2, dp.IPForward: 2, dp.Netfilter: 2}},
	{"weave-inter", map[dp.Kind]float64{dp.Veth: 4, dp.Bridge: 2, dp.FIB: 1, dp.IPForward: 1, dp.Netfilter: 1, dp.VXLAN: 2}},
}

// Counts are crossings per data packet, without ACKs (Config.Crossings.Data).
type Counts [dp.NumKinds]float64

// data turns data-only crossings into configurations.
func data(cs []Counts) []Config {
	out := make([]Config, len(cs))
	for i, c := range cs {
		out[i].Crossings.Data = c
	}
	return out
}

func counts(m map[dp.Kind]float64) Counts {
	var c Counts
	for k, v := range m {
		c[k] = v
	}
	return c
}

// synth measures every config reps times with Gaussian noise of sd sigma.
func synth(rng *rand.Rand, reps int, sigma float64) ([]Row, []Counts) {
	var rows []Row
	var cs []Counts
	for _, cf := range configs {
		c := counts(cf.c)
		total := 0.0
		for k, v := range cf.c {
			total += v * truth[k]
		}
		for range reps {
			rows = append(rows, Row{Plugin: cf.name, Placement: "inter", MTU: 1500, CPPTotal: total + sigma*rng.NormFloat64()})
			cs = append(cs, c)
		}
	}
	return rows, cs
}

func TestFitExact(t *testing.T) {
	t.Parallel()
	rows, cs := synth(rand.New(rand.NewPCG(1, 1)), 1, 0)
	res, err := Fit(rows, data(cs), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Costs) != len(truth) {
		t.Fatalf("costs %+v", res.Costs)
	}
	for _, c := range res.Costs {
		k, _ := dp.ParseKind(c.Stage)
		if math.Abs(c.Cycles-truth[k]) > 1e-6 {
			t.Errorf("%s: %v, want %v", c.Stage, c.Cycles, truth[k])
		}
	}
	for _, r := range res.Rows {
		if math.Abs(r.Residual) > 1e-6 {
			t.Errorf("%s residual %v", r.Config, r.Residual)
		}
	}
	if res.DOF != 2 || res.Sigma > 1e-6 {
		t.Errorf("10 equations, 8 unknowns: dof %d sigma %v", res.DOF, res.Sigma)
	}
}

// Noisy measurements: the fit recovers the truth within its reported
// uncertainty, and the standard errors are right: over many data sets
// about 95% of the costs fall within 1.96 standard errors (the OLS
// covariance sigma^2 (A^T A)^-1 is exact for Gaussian noise).
func TestFitRecoversWithinUncertainty(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	in, total := 0, 0
	for trial := range 200 {
		rows, cs := synth(rng, 4, 30)
		res, err := Fit(rows, data(cs), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Costs {
			k, _ := dp.ParseKind(c.Stage)
			if c.AtBound || c.StdErr <= 0 {
				t.Fatalf("trial %d: %+v", trial, c)
			}
			z := math.Abs(c.Cycles-truth[k]) / c.StdErr
			if z > 5 {
				t.Errorf("trial %d: %s = %v +- %v, truth %v", trial, c.Stage, c.Cycles, c.StdErr, truth[k])
			}
			total++
			if z <= 1.96 {
				in++
			}
		}
		if math.Abs(res.Sigma-30) > 15 {
			t.Errorf("trial %d: sigma %v, want ~30", trial, res.Sigma)
		}
	}
	// 1600 costs: binomial sd of the coverage ~0.5%; allow a few sd, plus
	// the t vs normal difference at 32 dof (~0.94 coverage of 1.96).
	if cov := float64(in) / float64(total); cov < 0.90 || cov > 0.98 {
		t.Errorf("coverage of 1.96 s.e. = %.3f, want ~0.94", cov)
	}
}

func TestUnderdetermined(t *testing.T) {
	t.Parallel()
	// veth and bridge always crossed 2:1: their costs cannot be told apart.
	cs := []Counts{
		counts(map[dp.Kind]float64{dp.Veth: 2, dp.Bridge: 1, dp.VXLAN: 1}),
		counts(map[dp.Kind]float64{dp.Veth: 4, dp.Bridge: 2}),
		counts(map[dp.Kind]float64{dp.Veth: 2, dp.Bridge: 1, dp.VXLAN: 2}),
		counts(map[dp.Kind]float64{dp.Veth: 2, dp.Bridge: 1}),
	}
	rows := []Row{{CPPTotal: 1240, Line: 2}, {CPPTotal: 680, Line: 3}, {CPPTotal: 2140, Line: 4}, {CPPTotal: 340, Line: 5}}
	_, err := Fit(rows, data(cs), Options{})
	var ue *UnderdeterminedError
	if !errors.As(err, &ue) {
		t.Fatalf("err %v", err)
	}
	if got := strings.Join(ue.Stages, ","); got != "veth,bridge" {
		t.Errorf("unseparated %s, want veth,bridge", got)
	}
	if !strings.Contains(err.Error(), "4 of 4 rows have no acks_per_packet (0.5 assumed)") {
		t.Errorf("no hint about the assumed ACK ratio: %v", err)
	}
	// A stage asked for but crossed by no row.
	_, err = Fit(rows, data(cs), Options{Stages: []dp.Kind{dp.Veth, dp.VXLAN, dp.GRE}})
	if !errors.As(err, &ue) || strings.Join(ue.Stages, ",") != "gre" {
		t.Errorf("zero column: %v", err)
	}
	// A measured per-stage veth CPP separates them.
	rows[0].CPPStage = map[dp.Kind]float64{dp.Veth: 90}
	res, err := Fit(rows, data(cs), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"veth": 45, "bridge": 250, "vxlan": 900}
	for _, c := range res.Costs {
		if math.Abs(c.Cycles-want[c.Stage]) > 1e-6 {
			t.Errorf("%s = %v, want %v", c.Stage, c.Cycles, want[c.Stage])
		}
	}
	if r := res.Rows[0].StageResiduals["veth"]; math.Abs(r) > 1e-6 {
		t.Errorf("stage residual %v", r)
	}
}

// A stage whose best unconstrained estimate is negative sits at 0.
func TestFitBound(t *testing.T) {
	t.Parallel()
	cs := []Counts{
		counts(map[dp.Kind]float64{dp.Veth: 1}),
		counts(map[dp.Kind]float64{dp.Veth: 1, dp.Bridge: 1}),
		counts(map[dp.Kind]float64{dp.Veth: 2, dp.Bridge: 1}),
	}
	rows := []Row{{CPPTotal: 100}, {CPPTotal: 90}, {CPPTotal: 190}}
	res, err := Fit(rows, data(cs), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if b := res.Costs[1]; b.Stage != "bridge" || b.Cycles != 0 || !b.AtBound {
		t.Errorf("bridge %+v", b)
	}
	if !strings.Contains(strings.Join(res.Warnings, ";"), "bridge fitted at 0") {
		t.Errorf("warnings %v", res.Warnings)
	}
	p, err := res.Profile("fitted", 2.4, "test")
	if err != nil || len(p.Costs) != 2 || !strings.Contains(p.Costs[1].Source, "bound") {
		t.Errorf("profile %+v %v", p, err)
	}
}

func TestFitInputErrors(t *testing.T) {
	t.Parallel()
	c := []Counts{counts(map[dp.Kind]float64{dp.Veth: 1})}
	for _, tc := range []struct {
		rows []Row
		cs   []Counts
		want string
	}{
		{nil, nil, "no measurements"},
		{[]Row{{CPPTotal: 1}}, nil, "1 rows but 0"},
		{[]Row{{CPPTotal: math.NaN(), Line: 4}}, c, "line 4: cpp_total"},
		{[]Row{{CPPTotal: 1, CPPStage: map[dp.Kind]float64{dp.Veth: -1}}}, c, "cpp_veth"},
		{[]Row{{CPPTotal: 1}}, []Counts{{}}, "no row crosses"},
		{[]Row{{CPPTotal: 1}}, []Counts{counts(map[dp.Kind]float64{dp.Veth: -2})}, "crossings of veth"},
	} {
		if _, err := Fit(tc.rows, data(tc.cs), Options{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want %q", err, tc.want)
		}
	}
}

func TestProfileFromFit(t *testing.T) {
	t.Parallel()
	rows, cs := synth(rand.New(rand.NewPCG(3, 3)), 3, 10)
	res, err := Fit(rows, data(cs), Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := res.Profile("lab", 2.4, "m.csv (sha256 abc)")
	if err != nil {
		t.Fatal(err)
	}
	if p.GHz != 2.4 || len(p.Costs) != len(truth) || !strings.Contains(p.Costs[0].Source, "m.csv") {
		t.Errorf("%+v", p)
	}
	if _, err := res.Profile("lab", 0, "x"); err == nil {
		t.Error("zero GHz accepted")
	}
}

func TestConfigsFor(t *testing.T) {
	t.Parallel()
	rows := []Row{{Plugin: "a", Placement: "inter", Line: 3}, {Plugin: "b", Placement: "intra", Line: 4}}
	fn := func(r Row) (Config, error) {
		if r.Plugin == "b" {
			return Config{}, errors.New("unknown plugin")
		}
		return Config{PodMTU: 1500}, nil
	}
	if _, err := ConfigsFor(rows, fn); err == nil || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("%v", err)
	}
}

func TestExactlyDetermined(t *testing.T) {
	t.Parallel()
	cs := []Counts{counts(map[dp.Kind]float64{dp.Veth: 1}), counts(map[dp.Kind]float64{dp.Veth: 1, dp.Bridge: 1})}
	res, err := Fit([]Row{{CPPTotal: 40}, {CPPTotal: 290}}, data(cs), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.DOF != 0 || res.Costs[1].Cycles != 250 || res.Costs[1].StdErr != 0 || len(res.Warnings) == 0 {
		t.Errorf("%+v", res)
	}
}

// ACK-consistent rows: a stage only data packets cross (the copy to the
// reader) and one only ACKs cross here are told apart by two ACK ratios,
// in closed form: CPP = a + r b. A row without a ratio assumes 0.5, with a
// warning that says why.
func TestFitAckRatio(t *testing.T) {
	t.Parallel()
	var c Config
	c.Crossings.Data[dp.SocketCopy] = 1
	c.Crossings.Ack[dp.TCP] = 1
	cfgs := []Config{c, c, c}
	rows := []Row{
		{CPPTotal: 300 + 0.5*200, AcksPerPacket: 0.5, HasAcks: true},
		{CPPTotal: 300 + 0.01*200, AcksPerPacket: 0.01, HasAcks: true},
		{CPPTotal: 300 + 1*200, AcksPerPacket: 1, HasAcks: true},
	}
	res, err := Fit(rows, cfgs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := res.Costs[0], res.Costs[1]; a.Stage != "tcp" || math.Abs(a.Cycles-200) > 1e-9 || math.Abs(b.Cycles-300) > 1e-9 {
		t.Errorf("costs %+v", res.Costs)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings %q", res.Warnings)
	}
	rows[2] = Row{CPPTotal: 300 + DefaultAcksPerPacket*200, Line: 9}
	res, err = Fit(rows, cfgs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(res.Warnings, ";"); !strings.Contains(w, "1 of 3 rows have no acks_per_packet: assumed 0.5") || !strings.Contains(w, "TcpOutSegs") {
		t.Errorf("warnings %q", res.Warnings)
	}
	if res.Rows[2].AcksPerPacket != 0.5 || math.Abs(res.Costs[0].Cycles-200) > 1e-9 {
		t.Errorf("%+v", res)
	}
	for _, bad := range []Row{{AcksPerPacket: 5, HasAcks: true}, {AcksPerPacket: math.NaN(), HasAcks: true}, {BytesPerPacket: -1}} {
		if _, err := Fit([]Row{bad}, []Config{c}, Options{}); err == nil {
			t.Errorf("accepted %+v", bad)
		}
	}
}

// Per-byte costs: only where the rows crossing a byte stage differ in
// packet size, and then separated from the per-crossing cost, ACK bytes
// included: CPP = c (1 + r) + b (B + r 52).
func TestFitPerByte(t *testing.T) {
	t.Parallel()
	var c Config
	c.Crossings.Data[dp.SocketCopy], c.Crossings.Ack[dp.SocketCopy] = 1, 1
	c.PodMTU = 1500
	cpp := func(r, bytes float64) float64 { return 100*(1+r) + 0.2*(bytes+r*dp.TCPIPOverhead) }
	same := []Row{{CPPTotal: cpp(0.5, 1500), AcksPerPacket: 0.5, HasAcks: true}, {CPPTotal: cpp(0.1, 1500), AcksPerPacket: 0.1, HasAcks: true}}
	res, err := Fit(same, []Config{c, c}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Costs[0].PerByte != nil {
		t.Errorf("one packet size, yet a per-byte cost: %+v", res.Costs[0])
	}
	rows := []Row{
		{CPPTotal: cpp(0.5, 1500), AcksPerPacket: 0.5, HasAcks: true},
		{CPPTotal: cpp(0.5, 9000), AcksPerPacket: 0.5, HasAcks: true, BytesPerPacket: 9000},
		{CPPTotal: cpp(0.02, 600), AcksPerPacket: 0.02, HasAcks: true, BytesPerPacket: 600},
	}
	res, err = Fit(rows, []Config{c, c, c}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Costs[0]
	if math.Abs(got.Cycles-100) > 1e-6 || got.PerByte == nil || math.Abs(got.PerByte.Cycles-0.2) > 1e-9 {
		t.Errorf("socket_copy %+v, want 100 + 0.2/byte", got)
	}
	p, err := res.Profile("pb", 2.4, "x")
	if err != nil || p.Costs[0].CyclesPerByte != got.PerByte.Cycles || !strings.Contains(p.Costs[0].Source, "per byte") {
		t.Errorf("profile %+v %v", p, err)
	}
}
