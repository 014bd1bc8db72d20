package calibration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func prof(name string, ghz float64, costs ...Entry) *Profile {
	return &Profile{Name: name, GHz: ghz, Costs: costs}
}

func ent(stage, plugin, mode, place string, cyc float64, src string) Entry {
	return Entry{Stage: stage, Plugin: plugin, Mode: mode, Placement: place, Cycles: cyc, Provenance: Measured, Source: src}
}

func TestLayerOrderAndProvenance(t *testing.T) {
	t.Parallel()
	base := prof("base", 2.0,
		ent("veth", "", "", "", 100, "base veth"),
		ent("vxlan", "flannel", "vxlan", "", 900, "base vxlan"),
		ent("ip_forward", "", "", "", 300, "base fwd"))
	base.Costs[2].Provenance = Quoted
	top := prof("node1", 3.0,
		ent("veth", "", "", "", 150, "perf veth"),
		ent("vxlan", "flannel", "vxlan", "inter", 950, "perf vxlan inter"))
	top2 := prof("node2", 2.5, ent("veth", "", "", "", 175, "node2 veth"))
	type want struct {
		stage, place string
		cyc          float64
		src          string
		prov         Provenance
	}
	for _, tc := range []struct {
		name   string
		layers []*Profile
		ghz    float64
		pname  string
		want   []want
	}{
		{"single copy", []*Profile{base}, 2.0, "base", []want{
			{"veth", "", 100, "base veth", Measured}, {"vxlan", "", 900, "base vxlan", Measured}, {"ip_forward", "", 300, "base fwd", Quoted}}},
		{"top overrides same key, adds a new placement, keeps the rest", []*Profile{base, top}, 3.0, "base+node1", []want{
			{"veth", "", 150, "perf veth", Measured}, {"vxlan", "", 900, "base vxlan", Measured},
			{"ip_forward", "", 300, "base fwd", Quoted}, {"vxlan", "inter", 950, "perf vxlan inter", Measured}}},
		{"reverse order: base wins", []*Profile{top, base}, 2.0, "node1+base", []want{
			{"veth", "", 100, "base veth", Measured}, {"vxlan", "inter", 950, "perf vxlan inter", Measured},
			{"vxlan", "", 900, "base vxlan", Measured}, {"ip_forward", "", 300, "base fwd", Quoted}}},
		{"three layers: last wins", []*Profile{base, top, top2}, 2.5, "base+node1+node2", []want{
			{"veth", "", 175, "node2 veth", Measured}, {"vxlan", "", 900, "base vxlan", Measured},
			{"ip_forward", "", 300, "base fwd", Quoted}, {"vxlan", "inter", 950, "perf vxlan inter", Measured}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Layer(tc.layers...)
			if got.GHz != tc.ghz || got.Name != tc.pname {
				t.Fatalf("ghz %v name %q, want %v %q", got.GHz, got.Name, tc.ghz, tc.pname)
			}
			if len(got.Costs) != len(tc.want) {
				t.Fatalf("%d entries, want %d: %+v", len(got.Costs), len(tc.want), got.Costs)
			}
			for i, w := range tc.want {
				e := got.Costs[i]
				if e.Stage != w.stage || e.Placement != w.place || e.Cycles != w.cyc || e.Source != w.src || e.Provenance != w.prov {
					t.Errorf("cost[%d] = %+v, want %+v", i, e, w)
				}
			}
		})
	}
	if base.Costs[0].Cycles != 100 || len(base.Costs) != 3 {
		t.Fatal("Layer modified its input")
	}
}

func TestLayerRuleCosts(t *testing.T) {
	t.Parallel()
	one, two := 10.0, 20.0
	a := prof("a", 2, ent("veth", "", "", "", 1, "s"))
	a.RuleCosts = []RuleCost{{Engine: "iptables", CyclesPerRule: &one, Provenance: Assumed, Source: "a"}}
	b := prof("b", 2)
	b.RuleCosts = []RuleCost{{Engine: "iptables", CyclesPerRule: &two, Provenance: Measured, Source: "b"},
		{Engine: "iptables", Plugin: "calico", CyclesPerRule: &one, Provenance: Measured, Source: "b2"}}
	got := Layer(a, b)
	if len(got.RuleCosts) != 2 || *got.RuleCosts[0].CyclesPerRule != 20 || got.RuleCosts[0].Source != "b" || got.RuleCosts[1].Source != "b2" {
		t.Fatalf("rule costs %+v", got.RuleCosts)
	}
	*got.RuleCosts[0].CyclesPerRule = 99
	if two != 20 {
		t.Fatal("Layer shares rule-cost pointers with its input")
	}
}

func TestLoadLayers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "node1.toml")
	top := prof("node1", 3.1, ent("veth", "", "", "", 4242, "perf stat, test"))
	if err := top.Save(file); err != nil {
		t.Fatal(err)
	}
	paper, err := Load("paper")
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadLayers("paper, " + file)
	if err != nil {
		t.Fatal(err)
	}
	if got.GHz != 3.1 || len(got.Costs) < len(paper.Costs) {
		t.Fatalf("ghz %v, %d entries (paper %d)", got.GHz, len(got.Costs), len(paper.Costs))
	}
	for _, e := range got.Costs {
		if e.key() == (entryKey{stage: "veth"}) && (e.Cycles != 4242 || e.Source != "perf stat, test") {
			t.Fatalf("veth not overridden: %+v", e)
		}
	}
	for _, bad := range []struct{ list, want string }{
		{"paper,,x.toml", "layer 2 is empty"},
		{"paper,nosuch", `layer 2 of "paper,nosuch": unknown calibration profile "nosuch"`},
		{"paper," + filepath.Join(dir, "missing.toml"), "missing.toml"},
	} {
		if _, err := LoadLayers(bad.list); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("LoadLayers(%q) = %v, want error containing %q", bad.list, err, bad.want)
		}
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
}

func TestShadowed(t *testing.T) {
	t.Parallel()
	base := prof("base", 2,
		ent("veth", "flannel", "", "", 1, "s"),
		ent("veth", "", "", "inter", 1, "s"),
		ent("vxlan", "", "", "", 1, "s"))
	top := prof("top", 2,
		ent("veth", "", "", "", 2, "t"),
		ent("veth", "flannel", "", "", 2, "t"),
		ent("vxlan", "flannel", "", "", 2, "t"))
	got := Shadowed(base, top)
	want := []string{
		`veth (plugin "", mode "", placement "") is shadowed by base's entry for plugin "flannel", mode "", placement ""`,
		`veth (plugin "", mode "", placement "") is shadowed by base's entry for plugin "", mode "", placement "inter"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// SplitLayers never panics, and a list it accepts joins back to itself up
// to spaces around the layers.
func FuzzSplitLayers(f *testing.F) {
	for _, s := range []string{"paper", "paper,node1.toml", " a , b ", ",", "a,,b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts, err := SplitLayers(s)
		if err != nil {
			return
		}
		for _, p := range parts {
			if p == "" || strings.Contains(p, LayerSep) {
				t.Fatalf("%q: bad layer %q", s, p)
			}
		}
		again, err := SplitLayers(strings.Join(parts, LayerSep))
		if err != nil || strings.Join(again, LayerSep) != strings.Join(parts, LayerSep) {
			t.Fatalf("%q: round trip %q, %v", s, again, err)
		}
	})
}
