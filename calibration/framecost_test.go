package calibration

import (
	"strings"
	"testing"
)

// TestGROFrames: a profile's [[gro_frame]] entries are read, found by
// device, and replaced by device when layered; a profile without them
// states none.
func TestGROFrames(t *testing.T) {
	t.Parallel()
	p := mustLoad(t, "testdata/gro.toml")
	for _, c := range []struct {
		device string
		want   float64
		ok     bool
	}{{"", 480, true}, {"vxlan", 300, true}, {"geneve", 0, false}} {
		if got, ok := p.GROFrameCycles(c.device); got != c.want || ok != c.ok {
			t.Errorf("GROFrameCycles(%q) = %v, %v; want %v, %v", c.device, got, ok, c.want, c.ok)
		}
	}
	if got, ok := p.GSOSegmentCycles(""); got != 310 || !ok {
		t.Errorf("GSOSegmentCycles(\"\") = %v, %v; want 310, true", got, ok)
	}
	if _, ok := p.GSOSegmentCycles("vxlan"); ok {
		t.Error("a gso_segment entry for vxlan where the profile states none")
	}
	if _, ok := mustLoad(t, "testdata/specific.toml").GROFrameCycles(""); ok {
		t.Error("a profile without [[gro_frame]] states a per-frame cost")
	}
	top := &Profile{Name: "top", GHz: 2.6, GROFrames: []FrameCost{
		{Device: "vxlan", Cycles: 100, Provenance: Assumed, Source: "top"},
		{Device: "geneve", Cycles: 90, Provenance: Assumed, Source: "top"},
	}}
	l := Layer(p, top)
	want := []FrameCost{p.GROFrames[0], top.GROFrames[0], top.GROFrames[1]}
	if len(l.GROFrames) != len(want) {
		t.Fatalf("layered gro_frame = %v, want %v", l.GROFrames, want)
	}
	for i := range want {
		if l.GROFrames[i] != want[i] {
			t.Errorf("layered gro_frame[%d] = %v, want %v", i, l.GROFrames[i], want[i])
		}
	}
	if p.GROFrames[1].Cycles != 300 {
		t.Error("layering changed the base profile")
	}
	c := p.Clone()
	c.GROFrames[0].Cycles = 1
	if p.GROFrames[0].Cycles != 480 {
		t.Error("a clone shares the base's gro_frame entries")
	}
}

// Bad [[gro_frame]] tables fail with the file, line, key and the allowed
// values.
func TestGROFrameErrors(t *testing.T) {
	t.Parallel()
	base := good + "\n[[gro_frame]]\ncycles = 500\nprovenance = \"measured\"\nsource = \"gs\"\n"
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"negative", strings.Replace(base, "cycles = 500", "cycles = -5", 1), []string{"f.toml:", "gro_frame[0].cycles", "0..1e+06"}},
		{"nan", strings.Replace(base, "cycles = 500", "cycles = nan", 1), []string{"gro_frame[0].cycles"}},
		{"provenance", strings.Replace(base, `"measured"`, `"guessed"`, 1), []string{"gro_frame[0].provenance", "valid: measured, quoted, derived, assumed"}},
		{"source", strings.Replace(base, `source = "gs"`, `source = ""`, 1), []string{"gro_frame[0].source"}},
		{"unknown key", strings.Replace(base, "cycles = 500", "cycles = 500\nstage = \"vxlan\"", 1), []string{"f.toml:", "gro_frame.stage", "allowed: device, cycles, provenance, source"}},
		{"duplicate", base + "\n[[gro_frame]]\ncycles = 1\nprovenance = \"assumed\"\nsource = \"t\"\n", []string{"gro_frame[1].device", "duplicate of gro_frame[0]"}},
		{"gso_segment", base + "\n[[gso_segment]]\ncycles = -3\nprovenance = \"assumed\"\nsource = \"t\"\n", []string{"gso_segment[0].cycles", "0..1e+06"}},
		{"spaces", strings.Replace(base, "cycles = 500", "device = \" vxlan\"\ncycles = 500", 1), []string{"gro_frame[0].device", "spaces"}},
	} {
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
