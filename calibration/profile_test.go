package calibration

import (
	"bytes"
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

func mustLoad(t *testing.T, path string) *Profile {
	t.Helper()
	p, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The specificity rule documented on Cost, case by case.
func TestCostSpecificity(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/specific.toml")
	cases := []struct {
		plugin, mode string
		pl           datapath.Placement
		want         float64
	}{
		{"calico", "ipip", datapath.Inter, 6},  // plugin+mode+placement
		{"calico", "ipip", datapath.Intra, 5},  // plugin+mode beats plugin+placement and plugin
		{"calico", "vxlan", datapath.Inter, 4}, // plugin+placement
		{"calico", "vxlan", datapath.Intra, 3}, // plugin
		{"flannel", "vxlan", datapath.Inter, 2},
		{"flannel", "vxlan", datapath.Intra, 1},
		{"", "", datapath.Intra, 1},
	}
	for _, c := range cases {
		got, _, ok := p.Cost(datapath.Netfilter, c.plugin, c.mode, c.pl)
		if !ok || got != c.want {
			t.Errorf("Cost(netfilter, %q, %q, %s) = %v, %v; want %v", c.plugin, c.mode, c.pl, got, ok, c.want)
		}
	}
	if _, cpb, _ := p.Cost(datapath.Netfilter, "calico", "ipip", datapath.Inter); cpb != 0.5 {
		t.Errorf("cycles_per_byte = %v, want 0.5", cpb)
	}
	if _, _, ok := p.Cost(datapath.VXLAN, "calico", "ipip", datapath.Inter); ok {
		t.Error("Cost of a kind without entries: ok = true")
	}
	if p.CPUGHz() != 2.0 {
		t.Errorf("CPUGHz = %v", p.CPUGHz())
	}
}

// The entry order in the file must not matter: reversing it gives the same
// answers.
func TestCostOrderIndependent(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/specific.toml")
	q := p.Clone()
	for i, j := 0, len(q.Costs)-1; i < j; i, j = i+1, j-1 {
		q.Costs[i], q.Costs[j] = q.Costs[j], q.Costs[i]
	}
	for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
		for _, plug := range []string{"calico", "flannel"} {
			for _, mode := range []string{"ipip", "vxlan"} {
				a, _, _ := p.Cost(datapath.Netfilter, plug, mode, pl)
				b, _, _ := q.Cost(datapath.Netfilter, plug, mode, pl)
				if a != b {
					t.Errorf("%s %s %s: %v vs %v", plug, mode, pl, a, b)
				}
			}
		}
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/specific.toml")
	data, err := p.TOML()
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(data, "roundtrip")
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if !reflect.DeepEqual(p, q) {
		t.Errorf("round trip changed the profile:\n%+v\n%+v", p, q)
	}
	// Writing again gives the same bytes.
	data2, _ := q.TOML()
	if !bytes.Equal(data, data2) {
		t.Errorf("second write differs:\n%s\n---\n%s", data, data2)
	}
}

func TestSaveAtomic(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/specific.toml")
	path := t.TempDir() + "/out.toml"
	if err := p.Save(path); err != nil {
		t.Fatal(err)
	}
	if q := mustLoad(t, path); !reflect.DeepEqual(p, q) {
		t.Error("saved profile differs")
	}
	bad := p.Clone()
	bad.GHz = 0
	path2 := t.TempDir() + "/bad.toml"
	if err := bad.Save(path2); err == nil {
		t.Error("Save of an invalid profile succeeded")
	}
	if _, err := os.Stat(path2); !os.IsNotExist(err) {
		t.Error("Save of an invalid profile left a file")
	}
}

const good = `name = "x"
cpu_ghz = 2.4
[[cost]]
stage = "veth"
cycles = 40
provenance = "quoted"
source = "s"
`

// Each bad input must fail with an error naming the file, the line, the
// key and, where there is a closed set, the allowed values.
func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text string
		want       []string
	}{
		{"unknown top key", "colour = 1\n" + good, []string{"f.toml:1", `"colour"`, "allowed: name, description, cpu_ghz, per_byte_scaling, cost, rule_cost"}},
		{"wrong case", strings.Replace(good, "cycles = 40", "Cycles = 40", 1), []string{"f.toml:5", `"cost.Cycles"`, "allowed: stage, cycles"}},
		{"unknown entry key", strings.Replace(good, "cycles = 40", "cycles = 40\ncpp = 3", 1), []string{"f.toml:6", "cost.cpp"}},
		{"unknown table", good + "[extra]\na = 1\n", []string{"f.toml", "unknown table", "[cost]"}},
		{"syntax", "name = \"x\ncpu_ghz = 2.4\n", []string{"f.toml:1"}},
		{"type", strings.Replace(good, "cycles = 40", `cycles = "forty"`, 1), []string{"f.toml", "cycles"}},
		{"bad stage", strings.Replace(good, `"veth"`, `"vxlam"`, 1), []string{"f.toml:4", "cost[0].stage", `"vxlam"`, "valid: veth, bridge"}},
		{"bad provenance", strings.Replace(good, `"quoted"`, `"measurd"`, 1), []string{"f.toml:6", "cost[0].provenance", "valid: measured, quoted, derived, assumed"}},
		{"no provenance", strings.Replace(good, "provenance = \"quoted\"\n", "", 1), []string{"cost[0].provenance"}},
		{"empty source", strings.Replace(good, `source = "s"`, `source = " "`, 1), []string{"f.toml:7", "cost[0].source"}},
		{"negative cycles", strings.Replace(good, "cycles = 40", "cycles = -1", 1), []string{"f.toml:5", "cost[0].cycles", "0..1e+10"}},
		{"huge cycles", strings.Replace(good, "cycles = 40", "cycles = 1e308", 1), []string{"f.toml:5", "cost[0].cycles", "0..1e+10"}},
		{"negative per byte", strings.Replace(good, "cycles = 40", "cycles = 40\ncycles_per_byte = -0.1", 1), []string{"f.toml:6", "cycles_per_byte"}},
		{"nan cycles", strings.Replace(good, "cycles = 40", "cycles = nan", 1), []string{"cost[0].cycles"}},
		{"zero ghz", strings.Replace(good, "2.4", "0", 1), []string{"f.toml:2", "cpu_ghz", "0.01..100"}},
		{"tiny ghz", strings.Replace(good, "2.4", "1e-300", 1), []string{"f.toml:2", "cpu_ghz", "0.01..100"}},
		{"inf ghz", strings.Replace(good, "2.4", "inf", 1), []string{"f.toml:2", "cpu_ghz"}},
		{"bad placement", strings.Replace(good, "cycles = 40", "cycles = 40\nplacement = \"cross\"", 1), []string{"f.toml:6", "valid: intra, inter"}},
		{"mode without plugin", strings.Replace(good, "cycles = 40", "cycles = 40\nmode = \"ipip\"", 1), []string{"f.toml:6", "needs a plugin"}},
		{"duplicate", good + good[strings.Index(good, "[[cost]]"):], []string{"f.toml:9", "cost[1]", "duplicate of cost[0]"}},
		{"empty", " \n", []string{"f.toml", "empty"}},
		{"no name", strings.Replace(good, `name = "x"`, "", 1), []string{"name: must not be empty"}},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.text), "f.toml")
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", c.name, err, w)
			}
		}
	}
}

// An integer cycles value (TOML "cycles = 40", not "40.0") is read as the
// number it is, and applies to every plugin, mode and placement.
func TestIntegerCyclesAccepted(t *testing.T) {
	t.Parallel()
	p, err := Parse([]byte(good), "f.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
		if c, cpb, ok := p.Cost(datapath.Veth, "any", "mode", pl); !ok || c != 40 || cpb != 0 {
			t.Errorf("veth %s: cost %v, per byte %v, found %v; want 40, 0, true", pl, c, cpb, ok)
		}
	}
	if p.CPUGHz() != 2.4 {
		t.Errorf("cpu_ghz %v, want 2.4", p.CPUGHz())
	}
}

func TestOverride(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/specific.toml")
	if err := p.Override("netfilter", 900); err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Costs {
		if e.Stage == "netfilter" && (e.Cycles != 900 || e.Provenance != Assumed || e.Source != "override") {
			t.Errorf("entry not overridden: %+v", e)
		}
	}
	if c, cpb, _ := p.Cost(datapath.Netfilter, "calico", "ipip", datapath.Inter); c != 900 || cpb != 0.5 {
		t.Errorf("after override: %v %v", c, cpb)
	}
	// A kind the profile lacks gets a generic entry.
	if err := p.OverrideAll(map[string]float64{"vxlan": 850, "veth": 41}); err != nil {
		t.Fatal(err)
	}
	if c, _, ok := p.Cost(datapath.VXLAN, "x", "y", datapath.Intra); !ok || c != 850 {
		t.Errorf("vxlan override: %v %v", c, ok)
	}
	if err := p.Validate(); err != nil {
		t.Errorf("overridden profile invalid: %v", err)
	}
	if err := p.Override("vxlam", 1); err == nil || !strings.Contains(err.Error(), "valid: veth") {
		t.Errorf("bad stage: %v", err)
	}
	if err := p.Override("veth", -3); err == nil {
		t.Error("negative override accepted")
	}
	if err := p.OverrideAll(map[string]float64{"zz": 1, "aa": 1}); err == nil || !strings.Contains(err.Error(), `"aa"`) {
		t.Errorf("OverrideAll should report the first bad name in sorted order: %v", err)
	}
}

func TestBuiltin(t *testing.T) {
	t.Parallel()
	names := BuiltinNames()
	if len(names) == 0 || names[0] == "" {
		t.Fatalf("BuiltinNames = %v", names)
	}
	for _, n := range names {
		p, err := Builtin(n)
		if err != nil {
			t.Errorf("builtin %s: %v", n, err)
			continue
		}
		if p.Name != n {
			t.Errorf("builtin file %s.toml has name %q", n, p.Name)
		}
	}
	a, _ := Load("paper")
	b, _ := Load("paper")
	a.GHz = 99
	if b.GHz == 99 {
		t.Error("Builtin returns shared state")
	}
	if _, err := Load("nosuch"); err == nil || !strings.Contains(err.Error(), "paper") {
		t.Errorf("unknown builtin: %v", err)
	}
	if _, err := Load("nosuch.toml"); err == nil || !strings.Contains(err.Error(), "nosuch.toml") {
		t.Errorf("missing file: %v", err)
	}
	if p, err := Load("testdata/specific.toml"); err != nil || p.Name != "specific" {
		t.Errorf("Load path: %v", err)
	}
}

// Scale multiplies every entry of the stage, per crossing and per byte,
// whichever entry answers; other stages and the provenance stay; a stage
// not priced, a factor out of range or a product above the bounds is an
// error naming the stage.
func TestScale(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/specific.toml")
	before := p.Clone()
	c0, b0, _ := p.Cost(datapath.Netfilter, "calico", "ipip", datapath.Inter)
	g0, _, _ := p.Cost(datapath.Netfilter, "weave", "fastdp", datapath.Intra)
	if err := p.ScaleAll(map[string]float64{"netfilter": 1.5}); err != nil {
		t.Fatal(err)
	}
	if c, b, _ := p.Cost(datapath.Netfilter, "calico", "ipip", datapath.Inter); c != 1.5*c0 || b != 1.5*b0 || b0 == 0 {
		t.Errorf("most specific entry: %v, %v per byte, want %v, %v", c, b, 1.5*c0, 1.5*b0)
	}
	if g, _, _ := p.Cost(datapath.Netfilter, "weave", "fastdp", datapath.Intra); g != 1.5*g0 {
		t.Errorf("generic entry: %v, want %v", g, 1.5*g0)
	}
	for i, e := range p.Costs {
		o := before.Costs[i]
		if e.Stage != "netfilter" && e != o {
			t.Errorf("entry %d of stage %s changed: %+v", i, e.Stage, e)
		}
		if e.Stage == "netfilter" && (e.Provenance != o.Provenance || !strings.HasSuffix(e.Source, "; scaled x1.5 (calibration.scale)")) {
			t.Errorf("entry %d: provenance %v, source %q", i, e.Provenance, e.Source)
		}
	}
	if err := p.Validate(); err != nil {
		t.Errorf("scaled profile invalid: %v", err)
	}
	for _, tc := range []struct {
		stage  string
		factor float64
		want   string
	}{
		{"vxlan", 2, "the profile prices no vxlan stage"},
		{"vxlam", 2, "valid: veth"},
		{"netfilter", -1, "0..100"},
		{"netfilter", 101, "0..100"},
		{"netfilter", math.NaN(), "0..100"},
	} {
		if err := p.Clone().Scale(tc.stage, tc.factor); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Scale(%s, %v): %v, want %q", tc.stage, tc.factor, err, tc.want)
		}
	}
	big := p.Clone()
	if err := big.Override("netfilter", MaxCycles/2); err != nil {
		t.Fatal(err)
	}
	if err := big.Scale("netfilter", 3); err == nil || !strings.Contains(err.Error(), "above the bounds") {
		t.Errorf("a product above MaxCycles: %v", err)
	}
}

// Scale("rules") multiplies every [[rule_cost]]'s base and per-rule costs,
// and refuses a profile without them.
func TestScaleRules(t *testing.T) {
	t.Parallel()
	p, err := LoadLayers("paper")
	if err != nil {
		t.Fatal(err)
	}
	q := p.Clone()
	if err := q.ScaleAll(map[string]float64{RulesStage: 3}); err != nil {
		t.Fatal(err)
	}
	for _, eng := range p.RuleEngineNames() {
		b0, r0, err0 := p.RuleCycles(eng, "calico", "ipip", 5000)
		b1, r1, err1 := q.RuleCycles(eng, "calico", "ipip", 5000)
		if err0 != nil || err1 != nil || math.Abs(b1-3*b0) > 1e-9*b1 || math.Abs(r1-3*r0) > 1e-9*r1 || r0 <= 0 {
			t.Errorf("%s: base %v -> %v, per rule %v -> %v (%v %v): want x3", eng, b0, b1, r0, r1, err0, err1)
		}
	}
	if b, r, _ := p.RuleCycles("iptables", "calico", "ipip", 5000); b == 0 && r == 0 {
		t.Error("the clone's scaling reached the shared profile")
	}
	empty := p.Clone()
	empty.RuleCosts = nil
	if err := empty.Scale(RulesStage, 2); err == nil || !strings.Contains(err.Error(), "no [[rule_cost]]") {
		t.Errorf("a profile without rule costs: %v", err)
	}
}

// The frame stages are calibration.scale names the simulator applies
// where it resolves the frame costs: ScaleAll leaves the profile as it is
// for them, Scale refuses them, and a wrong name lists them.
func TestScaleFrameStages(t *testing.T) {
	t.Parallel()
	p, err := LoadLayers("paper")
	if err != nil {
		t.Fatal(err)
	}
	q := p.Clone()
	if err := q.ScaleAll(map[string]float64{GROFrameStage: 2, GSOSegmentStage: 3}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p, q) {
		t.Error("ScaleAll of the frame stages changed the profile")
	}
	for _, s := range FrameStages() {
		if !slices.Contains(ScaleStages(), s) {
			t.Errorf("ScaleStages lacks %s", s)
		}
		if err := q.Scale(s, 2); err == nil || !strings.Contains(err.Error(), "where the simulator resolves") {
			t.Errorf("Scale(%s): %v", s, err)
		}
	}
	if err := CheckScaleStage("gro"); err == nil || !strings.Contains(err.Error(), "gro_frame or gso_segment") {
		t.Errorf("a wrong name: %v", err)
	}
}
