package perf

import (
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/datapath"
)

func TestRuleCostFromStage(t *testing.T) {
	for _, tt := range []struct {
		name        string
		zero, with  []float64
		rules       int
		wantPerRule float64
		wantErr     string
	}{
		{"one each", []float64{300}, []float64{10300}, 1000, 10, ""},
		{"means", []float64{200, 400}, []float64{9300, 11300, 10300}, 1000, 10, ""},
		{"no rule cost", []float64{300}, []float64{300}, 10, 0, ""},
		{"no rules", []float64{300}, []float64{400}, 0, 0, "0 rules"},
		{"no zero capture", nil, []float64{400}, 10, 0, "0 captures without rules"},
		{"no rule capture", []float64{1}, nil, 10, 0, "0 with 10 rules"},
		{"cheaper with rules", []float64{500}, []float64{400}, 10, 0, "not walked"},
		{"NaN", []float64{math.NaN()}, []float64{400}, 10, 0, "netfilter cycles per packet NaN: want a finite number"},
		{"negative", []float64{300}, []float64{-1}, 10, 0, "finite"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rc, err := RuleCostFromStage("nftables", tt.zero, tt.with, tt.rules, "test captures")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rc.CyclesPerRule == nil || math.Abs(*rc.CyclesPerRule-tt.wantPerRule) > 1e-9 || rc.NsPerRule != nil || rc.BaseCycles != 0 {
				t.Fatalf("rule cost %+v, want %v cycles per rule, base 0", rc, tt.wantPerRule)
			}
			if rc.Engine != "nftables" || rc.Provenance != calibration.Measured || !strings.Contains(rc.Source, "test captures") {
				t.Errorf("engine %q, provenance %q, source %q", rc.Engine, rc.Provenance, rc.Source)
			}
			// The entry is a valid [[rule_cost]] of a profile.
			p := calibration.Profile{Name: "t", GHz: 2.5, RuleCosts: []calibration.RuleCost{rc}}
			base, per, err := p.RuleCycles("nftables", "calico", "native", 0)
			if err != nil || base != 0 || per != tt.wantPerRule {
				t.Errorf("profile prices %v + %v per rule (%v)", base, per, err)
			}
		})
	}
}

func TestStageCPP(t *testing.T) {
	r := &Result{Stages: []StageShare{{Stage: "veth", CPP: 100}, {Stage: "netfilter", CPP: 250}}}
	if got := StageCPP(r, datapath.Netfilter); got != 250 {
		t.Errorf("netfilter %v, want 250", got)
	}
	if got := StageCPP(r, datapath.EBPF); got != 0 {
		t.Errorf("ebpf %v, want 0 (no samples)", got)
	}
}

// AddCacheTerm recovers the extra cost per uncached rule from a walk
// beyond the cache (closed form), clamps a cheaper walk at 0, and refuses
// a table that fits the cache or a cost without cycles_per_rule.
func TestAddCacheTermClosedForm(t *testing.T) {
	t.Parallel()
	const c, u, k, n = 10.0, 4.0, 1000.0, 5000
	zero := []float64{1000, 1000}
	beyond := []float64{1000 + n*(c+u*(1-k/n))}
	rc, err := RuleCostFromStage("iptables", zero, []float64{1000 + 1000*c}, 1000, "s")
	if err != nil {
		t.Fatal(err)
	}
	if err := AddCacheTerm(&rc, zero, beyond, n, 200, k*200, "s"); err != nil {
		t.Fatal(err)
	}
	if math.Abs(*rc.UncachedCyclesPerRule-u) > 1e-9 || rc.CachedRules() != k {
		t.Errorf("uncached %v, cached rules %v; want %v, %v", *rc.UncachedCyclesPerRule, rc.CachedRules(), u, k)
	}
	cheap, _ := RuleCostFromStage("iptables", zero, []float64{1000 + 1000*c}, 1000, "s")
	if err := AddCacheTerm(&cheap, zero, []float64{1000 + n*c*0.9}, n, 200, k*200, "s"); err != nil || *cheap.UncachedCyclesPerRule != 0 {
		t.Errorf("a walk cheaper per rule beyond the cache: %v, %v; want 0", *cheap.UncachedCyclesPerRule, err)
	}
	for _, bad := range []struct {
		rules        int
		bytes, cache float64
		want         string
	}{
		{900, 200, k * 200, "fit the cache"},
		{n, 0, k * 200, "want finite numbers > 0"},
		{n, 200, math.Inf(1), "want finite numbers > 0"},
	} {
		r := rc
		if err := AddCacheTerm(&r, zero, beyond, bad.rules, bad.bytes, bad.cache, "s"); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%d rules, %v bytes, %v cache: error %v, want %q", bad.rules, bad.bytes, bad.cache, err, bad.want)
		}
	}
	if err := AddCacheTerm(&calibration.RuleCost{}, zero, beyond, n, 200, k*200, "s"); err == nil {
		t.Error("a rule cost without cycles_per_rule: no error")
	}
}
