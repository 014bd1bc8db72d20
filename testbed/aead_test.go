package testbed

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
)

// synthRun is a run whose every case costs exactly a + b x size cycles
// per call at 2 GHz (windows of 1000 calls), with one preempted window
// per case that the median must ignore.
func synthRun(a, b float64, sizes []int) *AEADRun {
	r := &AEADRun{CPUGHz: 2, Command: "synthetic", Date: "2026-12-02T00:00:00Z", Kernel: "k", CPUModel: "cpu"}
	for _, alg := range AEADAlgs {
		for _, op := range AEADOps {
			for _, s := range sizes {
				ns := int64(math.Round((a + b*float64(s)) * 1000 / 2))
				c := AEADCase{Alg: alg.Name, Op: op, Size: s}
				for i := range 5 {
					w := AEADWindow{Calls: 1000, CPUNS: ns, WallNS: ns}
					if i == 2 {
						w.CPUNS *= 3
					}
					c.Windows = append(c.Windows, w)
				}
				r.Cases = append(r.Cases, c)
			}
		}
	}
	return r
}

// The line through exact medians is the line: closed form.
func TestAEADFitsRecoverLine(t *testing.T) {
	r := synthRun(300, 0.75, []int{64, 576, 1400, 8960})
	fits, err := r.Fits()
	if err != nil {
		t.Fatal(err)
	}
	if len(fits) != len(AEADAlgs)*len(AEADOps) {
		t.Fatalf("%d fits", len(fits))
	}
	for _, f := range fits {
		if math.Abs(f.Cycles-300) > 0.01 || math.Abs(f.CyclesPerByte-0.75) > 1e-5 || f.MaxResidual > 1e-5 {
			t.Errorf("%s %s: %v + %v x bytes (residual %v), want 300 + 0.75 x bytes", f.Alg, f.Op, f.Cycles, f.CyclesPerByte, f.MaxResidual)
		}
	}
	m, iqr := r.Cases[0].CyclesPerCall(2)
	if math.Abs(m-348) > 0.01 || iqr != 0 {
		t.Errorf("median %v IQR %v, want 348 and 0 (the preempted window ignored)", m, iqr)
	}
}

// The relative fit weighs the ACK-sized call as much as the jumbo one.
func TestRelLineFit(t *testing.T) {
	a, b := relLineFit([]float64{100, 200}, []float64{110, 210})
	if math.Abs(a-10) > 1e-9 || math.Abs(b-1) > 1e-12 {
		t.Errorf("two points: %v + %v x", a, b)
	}
	// 300 + 0.7 x, the jumbo point 5% high: the unweighted line moves its
	// intercept by more than the relative one, which keeps the small call.
	xs, ys := []float64{64, 576, 8960}, []float64{344.8, 703.2, 6572 * 1.05}
	rel := func(a, b float64) float64 { return math.Abs(a+b*64-ys[0]) / ys[0] }
	wa, wb := relLineFit(xs, ys)
	ua, ub := lineFit(xs, ys)
	if rel(wa, wb) >= rel(ua, ub) || rel(wa, wb) > 0.02 {
		t.Errorf("residual at 64 bytes: relative fit %.3f, unweighted %.3f", rel(wa, wb), rel(ua, ub))
	}
}

func TestAEADLayer(t *testing.T) {
	r := synthRun(300, 0.75, []int{64, 1400})
	p, err := AEADLayer(r, "aead-test", 2.4)
	if err != nil {
		t.Fatal(err)
	}
	if p.GHz != 2.4 || p.PerByteScaling != calibration.ScaleClock || len(p.Costs) != 3 {
		t.Fatalf("profile %+v", p)
	}
	want := []struct {
		plugin, mode string
		cycles       float64
		prov         calibration.Provenance
	}{{"", "", 700, calibration.Derived}, {"cilium", "", 700, calibration.Derived}, {"weave", "sleeve", 300, calibration.Measured}}
	for i, w := range want {
		e := p.Costs[i]
		if e.Stage != "encrypt" || e.Plugin != w.plugin || e.Mode != w.mode || e.Cycles != w.cycles || e.CyclesPerByte != 0.75 || e.Provenance != w.prov {
			t.Errorf("entry %d: %+v, want encrypt %q %q %v + 0.75/B %s", i, e, w.plugin, w.mode, w.cycles, w.prov)
		}
		if !strings.Contains(e.Source, "synthetic") || !strings.Contains(e.Source, "seal 300 + 0.75 x bytes") {
			t.Errorf("entry %d source lacks the command or the arithmetic: %s", i, e.Source)
		}
	}
	// layered over paper it replaces paper's three encrypt entries and
	// nothing else
	paper, err := calibration.Builtin("paper")
	if err != nil {
		t.Fatal(err)
	}
	m := calibration.Layer(paper, p)
	if len(m.Costs) != len(paper.Costs) {
		t.Errorf("layered: %d entries, paper %d: the layer added entries instead of replacing", len(m.Costs), len(paper.Costs))
	}
	if _, err := AEADLayer(synthRun(300, 0.75, []int{1400}), "x", 0); err == nil || !strings.Contains(err.Error(), "two or more") {
		t.Errorf("one size: %v, want an error asking for two sizes", err)
	}
}

func TestLoadAEADErrors(t *testing.T) {
	dir := t.TempDir()
	r := synthRun(300, 0.75, []int{64, 1400})
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := LoadAEAD(dir)
	if err != nil || len(back.Cases) != len(r.Cases) {
		t.Fatalf("round trip: %v", err)
	}
	for _, c := range []struct{ body, want string }{
		{`{"cpu_ghz": 0}`, "cpu_ghz must be > 0"},
		{`{"cpu_ghz": 2, "cases": [{"alg": "rot13", "op": "seal", "size": 1, "windows": [{"calls": 1, "thread_cpu_ns": 1, "wall_ns": 1}]}]}`, `unknown alg "rot13"`},
		{`{"cpu_ghz": 2, "cases": [{"alg": "aes-128-gcm", "op": "seal", "size": 1, "windows": [{"calls": 0, "thread_cpu_ns": 1, "wall_ns": 1}]}]}`, "calls, thread_cpu_ns and wall_ns must be > 0"},
		{`{"cpu_ghz": `, "unexpected end"},
	} {
		if err := os.WriteFile(filepath.Join(dir, AEADFile), []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadAEAD(dir)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), AEADFile) {
			t.Errorf("%s: %v, want %q naming the file", c.body, err, c.want)
		}
	}
}
