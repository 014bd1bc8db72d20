package cni

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/datapath"
)

// A calibration profile prices policy rules.
var _ RuleCostSource = (*calibration.Profile)(nil)

// ruleCosts charges every stage 100 cycles and prices each engine with a
// distinct base and per-rule cost, so a test sees which engine answered;
// a rule costs tableRulePrice more per rule of the table (as a cache term
// does), so a test sees the table size the model passed.
type ruleCosts struct{ fixedCosts }

const tableRulePrice = 1e-3

var testRulePrice = map[string][2]float64{ // engine -> base, per rule
	"iptables": {30, 48}, "nftables": {50, 7}, "ipvs": {90, 0.5}, "ebpf": {20, 0.24}, "ovs": {10, 0.24},
}

func (ruleCosts) RuleCycles(engine, plugin, mode string, tableRules int) (float64, float64, error) {
	p, ok := testRulePrice[engine]
	if !ok {
		return 0, 0, errors.New("no price for " + engine)
	}
	return p[0], p[1] + tableRulePrice*float64(tableRules), nil
}

// The engines of the model file agree with those a profile can price.
func TestEnginesMatchProfile(t *testing.T) {
	t.Parallel()
	for _, e := range engines[1:] {
		found := false
		for _, c := range calibration.RuleEngines {
			found = found || c == string(e)
		}
		if !found {
			t.Errorf("engine %s has no calibration.RuleEngines counterpart", e)
		}
	}
	if len(engines)-1 != len(calibration.RuleEngines) {
		t.Errorf("engines %v vs calibration %v", engines, calibration.RuleEngines)
	}
}

// extra returns the cycles the rules add to a path over the rule-free one,
// on every packet (Cycles) and on connection-opening packets (RuleCycles),
// and the index of the step that walks them (-1 if none).
func extra(t *testing.T, m *Model, mode string, pl datapath.Placement, opt PathOptions, costs datapath.CostSource, ret bool) (every, opening float64, at int) {
	t.Helper()
	get := m.Path
	if ret {
		get = m.ReturnPath
	}
	rules := opt
	opt.PolicyRules, opt.PolicyConntrack = 0, false
	base, err := m.Path(mode, pl, opt, costs)
	if err != nil {
		t.Fatal(err)
	}
	p, err := get(mode, pl, rules, costs)
	if err != nil {
		t.Fatal(err)
	}
	at = -1
	for i, s := range p.Steps {
		c := float64(s.Count)
		d := c*(s.Cycles-base.Steps[i].Cycles) + c*s.RuleCycles
		if d != 0 {
			if at >= 0 {
				t.Errorf("rules walked at steps %d and %d", at, i)
			}
			at = i
		}
		every += c * (s.Cycles - base.Steps[i].Cycles)
		opening += c * s.RuleCycles
	}
	return every, opening, at
}

// The rule-walk arithmetic, closed form: one walk per packet toward the
// server pod costs base + N x per-rule of the engine in effect for a table
// of N rules, at the last rules step (the hook nearest the server pod: the
// dst node inter-host); on every packet when stateless, on opening
// packets only (RuleCycles) behind conntrack; never on the return path.
func TestRuleWalkArithmetic(t *testing.T) {
	t.Parallel()
	cases := []struct {
		plugin, mode string
		pl           datapath.Placement
		opt          PathOptions
		engine       string
		side         datapath.Side
	}{
		{"calico", "native", datapath.Inter, wp, "iptables", datapath.Dst},
		{"calico", "ipip", datapath.Inter, wp, "iptables", datapath.Dst},
		{"calico", "ipip", datapath.Intra, wp, "iptables", datapath.Src},
		{"calico", "vxlan", datapath.Inter, PathOptions{Policy: true, Engine: EngineNftables}, "nftables", datapath.Dst},
		{"calico", "native", datapath.Inter, PathOptions{Policy: true, Engine: EngineEBPF}, "ebpf", datapath.Dst},
		{"kube-router", "native", datapath.Inter, np, "iptables", datapath.Dst},
		{"kube-router", "gre", datapath.Inter, PathOptions{Engine: EngineIPVS}, "ipvs", datapath.Dst},
		{"cilium", "vxlan", datapath.Inter, np, "ebpf", datapath.Dst},
		{"weave", "sleeve", datapath.Inter, np, "iptables", datapath.Dst},
	}
	for _, c := range cases {
		m := builtin(t, c.plugin)
		price := testRulePrice[c.engine]
		for _, n := range []int{1, 10, 1000, 5000} {
			for _, ct := range []bool{false, true} {
				opt := c.opt
				opt.PolicyRules, opt.PolicyConntrack = n, ct
				name := c.plugin + "/" + c.mode + " " + string(c.pl)
				every, opening, at := extra(t, m, c.mode, c.pl, opt, ruleCosts{fixedCosts{2.4}}, false)
				want := price[0] + float64(n)*(price[1]+tableRulePrice*float64(n))
				got := every
				if ct {
					got = opening
					if every != 0 {
						t.Errorf("%s, %d rules, conntrack: data packets pay %v", name, n, every)
					}
				} else if opening != 0 {
					t.Errorf("%s, %d rules, stateless: opening-only cycles %v", name, n, opening)
				}
				if math.Abs(got-want) > 1e-9*want {
					t.Errorf("%s, %d rules, conntrack %v: +%v cycles per walk, want %v + %d x %v = %v", name, n, ct, got, price[0], n, price[1]+tableRulePrice*float64(n), want)
				}
				g, _ := m.Graph(c.mode, c.pl, opt)
				if at < 0 || g.Steps[at].Side != c.side {
					t.Errorf("%s: rules walked at step %d, want the last rules step on %s", name, at, c.side)
				}
				for i, s := range specsOf(t, m, c.mode, c.pl, opt) {
					if s.Rules && i > at {
						t.Errorf("%s: rules step %d after the walk at %d", name, i, at)
					}
				}
				// Back from the server pod: no rule cycles at all.
				if e, o, _ := extra(t, m, c.mode, c.pl, opt, ruleCosts{fixedCosts{2.4}}, true); e != 0 || o != 0 {
					t.Errorf("%s, %d rules: return path pays %v every packet, %v opening", name, n, e, o)
				}
			}
		}
	}
}

func specsOf(t *testing.T, m *Model, mode string, pl datapath.Placement, opt PathOptions) []StepSpec {
	t.Helper()
	_, specs, err := m.selectSteps(mode, pl, opt)
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

// With the paper profile: iptables 20 ns = 48 cycles per rule at 2.4 GHz,
// no base, so N rules add 48 N cycles per walk; the per-rule cost is in
// nanoseconds, so it scales with the profile's clock; eBPF is nearly
// flat; the RuleCycles override replaces the profile's price.
func TestPaperRuleWalk(t *testing.T) {
	t.Parallel()
	p := loadPaper(t)
	calico := builtin(t, "calico")
	for _, n := range []int{100, 1000} {
		e, _, _ := extra(t, calico, "native", datapath.Inter, PathOptions{Policy: true, PolicyRules: n}, p, false)
		if want := 48 * float64(n); math.Abs(e-want) > 1e-9*want {
			t.Errorf("calico native, %d iptables rules: +%v cycles, want %v", n, e, want)
		}
	}
	fast := p.Clone()
	fast.GHz = 3.0
	if e, _, _ := extra(t, calico, "native", datapath.Inter, PathOptions{Policy: true, PolicyRules: 100}, fast, false); math.Abs(e-100*20*3.0) > 1e-9 {
		t.Errorf("at 3.0 GHz: +%v cycles, want %v", e, 100*20*3.0)
	}
	cil := builtin(t, "cilium")
	if e, _, _ := extra(t, cil, "vxlan", datapath.Inter, PathOptions{PolicyRules: 1000}, p, false); math.Abs(e-1000*0.1*2.4) > 1e-9 {
		t.Errorf("cilium, 1000 eBPF rules: +%v cycles, want 240", e)
	}
	if e, _, _ := extra(t, cil, "vxlan", datapath.Inter, PathOptions{PolicyRules: 10, RuleCycles: 7}, p, false); e != 70 {
		t.Errorf("RuleCycles override: +%v, want 70", e)
	}
}

// Engine selection: "" is the mode's default, an offered engine is taken,
// anything else is refused with what the mode offers; a profile without a
// rule_cost for the engine in effect is an error naming the engine and the
// profile, but only when there are rules to price.
func TestEngineSelection(t *testing.T) {
	t.Parallel()
	p := loadPaper(t)
	cases := []struct {
		plugin, mode, engine string
		want                 Engine
		err                  string
	}{
		{"calico", "ipip", "", EngineIptables, ""},
		{"calico", "ipip", "nftables", EngineNftables, ""},
		{"calico", "native", "ebpf", EngineEBPF, ""},
		{"calico", "native", "ipvs", "", "offers iptables, nftables, ebpf (default iptables)"},
		{"kube-router", "native", "ipvs", EngineIPVS, ""},
		{"kube-router", "native", "nftables", "", "offers iptables, ipvs"},
		{"cilium", "vxlan", "", EngineEBPF, ""},
		{"cilium", "vxlan", "iptables", "", "offers ebpf (default ebpf)"},
		{"weave", "fastdp", "iptables", EngineIptables, ""},
		{"flannel", "vxlan", "", EngineNone, ""},
		{"flannel", "vxlan", "iptables", "", "has no network policy"},
		{"calico", "nosuch", "", "", "has no mode"},
	}
	for _, c := range cases {
		got, err := builtin(t, c.plugin).PolicyEngine(c.mode, c.engine)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s/%s engine %q: %v, want error with %q", c.plugin, c.mode, c.engine, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s/%s engine %q: %v, %v; want %v", c.plugin, c.mode, c.engine, got, err, c.want)
		}
	}
	calico := builtin(t, "calico")
	opt := PathOptions{Policy: true, Engine: EngineNftables}
	if _, err := calico.Path("native", datapath.Inter, opt, p); err != nil {
		t.Errorf("nftables without rules needs no price: %v", err)
	}
	opt.PolicyRules = 10
	_, err := calico.Path("native", datapath.Inter, opt, p)
	if !errors.Is(err, calibration.ErrNoRuleCost) || !strings.Contains(err.Error(), `"paper"`) || !strings.Contains(err.Error(), `"nftables"`) {
		t.Errorf("nftables rules with the paper profile: %v; want ErrNoRuleCost naming paper and nftables", err)
	}
	if _, err := calico.Path("native", datapath.Inter, opt, fixedCosts{2.4}); err == nil || !strings.Contains(err.Error(), "prices no policy rules") {
		t.Errorf("a cost source without rule prices: %v", err)
	}
	if _, err := calico.ReturnPath("native", datapath.Inter, opt, p); err != nil {
		t.Errorf("the return path walks no rules, so needs no price: %v", err)
	}
	if _, err := calico.ReturnPath("native", datapath.Inter, PathOptions{Policy: true, Engine: "pf"}, p); err == nil {
		t.Error("return path accepted an unknown engine")
	}
}

// Every built-in mode with policy offers its default engine first, and
// the paper profile prices every default engine, so every built-in mode
// runs with policy rules out of the box.
func TestDefaultEnginesPriced(t *testing.T) {
	t.Parallel()
	p := loadPaper(t)
	for _, v := range allModes(t) {
		md, _ := builtin(t, v.plugin).Mode(v.mode)
		if md.Engines[0] != md.Engine {
			t.Errorf("%s: engines %v do not start with the default %s", v.label, md.Engines, md.Engine)
		}
		if md.Policy == PolicyNone {
			continue
		}
		if _, _, err := p.RuleCycles(string(md.Engine), v.plugin, v.mode, 0); err != nil {
			t.Errorf("%s: %v", v.label, err)
		}
	}
}
