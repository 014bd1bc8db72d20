package calibration

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// The clock model at the cost source, in closed form: per-crossing cycles
// and "clock" per-byte cycles pass unchanged at any cluster clock (the
// network divides them by the cluster's GHz, so they run faster on a
// faster core); a "fixed" per-byte cost becomes cycles_per_byte x cluster
// GHz / profile GHz, i.e. cycles_per_byte / profile GHz ns per byte on
// every cluster.
func TestClockedCost(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/clock.toml") // 2.0 GHz, fixed; encrypt clock
	for _, tc := range []struct {
		kind        datapath.Kind
		ghz         float64
		cyc, perB   float64
		nsPerByte   float64 // what the network makes of perB at ghz
		scaledByGHz bool
	}{
		{datapath.SocketCopy, 2.0, 100, 0.5, 0.25, false},
		{datapath.SocketCopy, 4.0, 100, 1.0, 0.25, false}, // fixed: same ns per byte
		{datapath.SocketCopy, 1.0, 100, 0.25, 0.25, false},
		{datapath.Encrypt, 2.0, 400, 8, 4, true},
		{datapath.Encrypt, 4.0, 400, 8, 2, true}, // clock: twice as fast
		{datapath.Veth, 4.0, 40, 0, 0, true},
	} {
		cyc, perB, ok := p.AtClock(tc.ghz).Cost(tc.kind, "", "", datapath.Inter)
		if !ok || cyc != tc.cyc || perB != tc.perB {
			t.Errorf("%s at %g GHz: %v cycles, %v per byte, %v; want %v, %v", tc.kind, tc.ghz, cyc, perB, ok, tc.cyc, tc.perB)
		}
		if ns := perB / tc.ghz; ns != tc.nsPerByte {
			t.Errorf("%s at %g GHz: %v ns per byte, want %v", tc.kind, tc.ghz, ns, tc.nsPerByte)
		}
		// Profile.Cost itself states the file's numbers
		_, raw, _ := p.Cost(tc.kind, "", "", datapath.Inter)
		if want := map[datapath.Kind]float64{datapath.SocketCopy: 0.5, datapath.Encrypt: 8}[tc.kind]; raw != want {
			t.Errorf("Profile.Cost(%s) per byte %v, want the file's %v", tc.kind, raw, want)
		}
	}
	if _, _, ok := p.AtClock(3).Cost(datapath.VXLAN, "", "", datapath.Inter); ok {
		t.Error("a kind without entries: ok = true")
	}
	if got := p.AtClock(3).CPUGHz(); got != 3 {
		t.Errorf("Clocked.CPUGHz = %v, want the cluster's 3", got)
	}
	// no statement is today's behaviour: per-byte cycles unchanged
	q := p.Clone()
	q.PerByteScaling = ""
	if _, perB, _ := q.AtClock(4).Cost(datapath.SocketCopy, "", "", datapath.Inter); perB != 0.5 {
		t.Errorf("default scaling at 4 GHz: %v per byte, want 0.5 (clock)", perB)
	}
}

// per_byte_scaling at both levels survives a write and re-read, and a
// profile that states none writes no key (the built-in profiles' output
// stays as it was).
func TestScalingRoundTrip(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/clock.toml")
	if p.PerByteScaling != ScaleFixed || p.Costs[0].PerByteScaling != "" || p.Costs[1].PerByteScaling != ScaleClock {
		t.Fatalf("decoded %q, %q, %q", p.PerByteScaling, p.Costs[0].PerByteScaling, p.Costs[1].PerByteScaling)
	}
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
	if n := bytes.Count(data, []byte("\nper_byte_scaling = ")); n != 2 {
		t.Errorf("written profile has %d per_byte_scaling keys, want 2:\n%s", n, data)
	}
	paper, err := Builtin("paper")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := paper.TOML()
	if bytes.Contains(out, []byte("per_byte_scaling")) || paper.ByteScaling() != ScaleClock {
		t.Errorf("paper: scaling %q; written with per_byte_scaling: %v", paper.ByteScaling(), bytes.Contains(out, []byte("per_byte_scaling")))
	}
}

// A bad value is refused with file:line, the key and the allowed values.
func TestScalingParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, text string
		want       []string
	}{
		{"profile", strings.Replace(good, "cpu_ghz = 2.4", "cpu_ghz = 2.4\nper_byte_scaling = \"memory\"", 1),
			[]string{"f.toml:3", "per_byte_scaling", `"memory"`, "valid: clock, fixed"}},
		{"entry", strings.Replace(good, "cycles = 40", "cycles = 40\nper_byte_scaling = \"Fixed\"", 1),
			[]string{"f.toml:6", "cost[0].per_byte_scaling", `"Fixed"`, "valid: clock, fixed"}},
		{"not a string", strings.Replace(good, "cycles = 40", "cycles = 40\nper_byte_scaling = 1", 1),
			[]string{"f.toml", "line 6", "per_byte_scaling"}},
	} {
		_, err := Parse([]byte(tc.text), "f.toml")
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
}

// Layering keeps each entry's meaning: an entry that inherited its
// layer's scaling keeps it under a top layer of another scaling, an
// entry's own value is kept, and a fixed per-byte cost of a layer at
// another clock keeps its time per byte at the merged cpu_ghz.
func TestLayerKeepsScaling(t *testing.T) {
	t.Parallel()
	base := mustLoad(t, "testdata/clock.toml") // 2.0 GHz fixed; encrypt clock
	top := prof("node", 4.0, ent("veth", "", "", "", 50, "node veth"))
	got := Layer(base, top)
	if got.GHz != 4 || got.ByteScaling() != ScaleClock {
		t.Fatalf("merged %g GHz, %q", got.GHz, got.ByteScaling())
	}
	byStage := map[string]Entry{}
	for _, e := range got.Costs {
		byStage[e.Stage] = e
	}
	cp := byStage["socket_copy"]
	if cp.PerByteScaling != ScaleFixed || cp.CyclesPerByte != 1.0 || !strings.Contains(cp.Source, "0.5 x 4 / 2 = 1") {
		t.Errorf("socket_copy: %+v; want fixed, 1.0 cycles per byte at 4 GHz (0.25 ns per byte, as at 2 GHz), arithmetic in the source", cp)
	}
	if enc := byStage["encrypt"]; enc.PerByteScaling != ScaleClock || enc.CyclesPerByte != 8 {
		t.Errorf("encrypt: %+v; want its own clock, 8 cycles per byte", enc)
	}
	if v := byStage["veth"]; v.Cycles != 50 || v.PerByteScaling != "" {
		t.Errorf("veth: %+v; want the top's 50, inheriting", v)
	}
	// time per byte through the clock model, before and after layering
	for _, ghz := range []float64{1, 2.4, 4} {
		_, a, _ := base.AtClock(ghz).Cost(datapath.SocketCopy, "", "", datapath.Inter)
		_, b, _ := got.AtClock(ghz).Cost(datapath.SocketCopy, "", "", datapath.Inter)
		if a != b {
			t.Errorf("at %g GHz: %v cycles per byte alone, %v layered", ghz, a, b)
		}
	}
	if err := got.Validate(); err != nil {
		t.Error(err)
	}
	// the inputs are not touched
	if base.Costs[0].CyclesPerByte != 0.5 || base.Costs[0].PerByteScaling != "" {
		t.Errorf("Layer changed its input: %+v", base.Costs[0])
	}
	// same clock, same scaling: nothing to pin (the built-in layers)
	sameTop := prof("same", 2.0)
	sameTop.PerByteScaling = ScaleFixed
	same := Layer(base, sameTop)
	same.Name, same.Description = base.Name, base.Description
	if !reflect.DeepEqual(same, base) {
		t.Errorf("layer of one clock and scaling changed entries:\n%+v\n%+v", same, base)
	}
	// a fixed top layer: base entries that inherited clock are pinned
	ftop := prof("fixedtop", 2.0)
	ftop.PerByteScaling = ScaleFixed
	clk := prof("clk", 2.0, ent("socket_copy", "", "", "", 10, "clk copy"))
	clk.Costs[0].CyclesPerByte = 0.3
	m := Layer(clk, ftop)
	if m.ByteScaling() != ScaleFixed || m.Costs[0].PerByteScaling != ScaleClock {
		t.Errorf("clock base under a fixed top: profile %q, entry %q; want fixed, clock", m.ByteScaling(), m.Costs[0].PerByteScaling)
	}
}

func TestScalingSummary(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/clock.toml")
	if got := p.ScalingSummary(); got != "fixed; 1 entry clock" {
		t.Errorf("clock.toml: %q", got)
	}
	paper, _ := Builtin("paper")
	if got := paper.ScalingSummary(); got != "clock" {
		t.Errorf("paper: %q", got)
	}
	q := p.Clone()
	q.PerByteScaling, q.Costs[0].PerByteScaling = ScaleClock, ScaleFixed
	if got := q.ScalingSummary(); got != "clock; 1 entry fixed" {
		t.Errorf("clock profile with a fixed copy: %q", got)
	}
}
