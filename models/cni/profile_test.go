package cni

import (
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/datapath"
)

// testProfile is the calibration profile the tests cost paths with.
type testProfile = calibration.Profile

// loadPaper returns the built-in "paper" profile
// (calibration/profiles/paper.toml), validated by the calibration package.
func loadPaper(t testing.TB) *testProfile {
	t.Helper()
	p, err := calibration.Builtin("paper")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Every entry of the built-in profile carries provenance and a source, and
// every stage kind has a cost for both placements.
func TestPaperProfileComplete(t *testing.T) {
	t.Parallel()
	p := loadPaper(t)
	if p.Name != "paper" || p.GHz != 2.4 {
		t.Errorf("profile %q at %g GHz, want paper at 2.4 GHz (paper III.A)", p.Name, p.GHz)
	}
	for i, e := range p.Costs {
		if _, err := datapath.ParseKind(e.Stage); err != nil {
			t.Errorf("entry %d: %v", i, err)
		}
		switch e.Provenance {
		case "quoted", "derived", "assumed":
		default:
			t.Errorf("entry %d (%s): provenance %q", i, e.Stage, e.Provenance)
		}
		if len(e.Source) < 20 {
			t.Errorf("entry %d (%s): source %q too short to say where the number comes from", i, e.Stage, e.Source)
		}
		if e.Placement != "" && e.Placement != "intra" && e.Placement != "inter" {
			t.Errorf("entry %d: placement %q", i, e.Placement)
		}
	}
	for _, k := range datapath.Kinds() {
		for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
			if _, _, ok := p.Cost(k, "", "", pl); !ok {
				t.Errorf("no generic %s cost for %s", k, pl)
			}
		}
	}
}

func TestProfileResolution(t *testing.T) {
	t.Parallel()
	p := loadPaper(t)
	tests := []struct {
		k            datapath.Kind
		plugin, mode string
		pl           datapath.Placement
		want         float64
	}{
		{datapath.Netfilter, "calico", "ipip", datapath.Intra, 1466.67}, // plugin+placement
		{datapath.Netfilter, "", "", datapath.Intra, 977.78},            // placement
		{datapath.Netfilter, "flannel", "vxlan", datapath.Intra, 977.78},
		{datapath.Encrypt, "weave", "sleeve", datapath.Inter, 600}, // plugin+mode
		{datapath.Encrypt, "weave", "fastdp", datapath.Inter, 400}, // generic
		{datapath.IPForward, "host", "host", datapath.Inter, 150},  // plugin beats placement
		{datapath.IPForward, "calico", "native", datapath.Inter, 426.67},
	}
	for _, tt := range tests {
		if c, _, _ := p.Cost(tt.k, tt.plugin, tt.mode, tt.pl); c != tt.want {
			t.Errorf("Cost(%s, %s, %s, %s) = %g, want %g", tt.k, tt.plugin, tt.mode, tt.pl, c, tt.want)
		}
	}
}
