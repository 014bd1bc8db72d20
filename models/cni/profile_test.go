package cni

import (
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/cnisim/cnisim/models/datapath"
)

// testProfile is a minimal CostSource over calibration/profiles/paper.toml
// with the calibration package's resolution rule (most specific entry wins:
// plugin+mode+placement > plugin+mode > plugin+placement > plugin >
// placement > generic), so these tests do not wait for that package.
type testProfile struct {
	CPU     float64     `toml:"cpu_ghz"`
	Name    string      `toml:"name"`
	Desc    string      `toml:"description"`
	Entries []testEntry `toml:"cost"`
}

type testEntry struct {
	Stage         string  `toml:"stage"`
	Cycles        float64 `toml:"cycles"`
	CyclesPerByte float64 `toml:"cycles_per_byte"`
	Plugin        string  `toml:"plugin"`
	Mode          string  `toml:"mode"`
	Placement     string  `toml:"placement"`
	Provenance    string  `toml:"provenance"`
	Source        string  `toml:"source"`
}

const paperProfile = "../../calibration/profiles/paper.toml"

func loadPaper(t testing.TB) *testProfile {
	t.Helper()
	var p testProfile
	md, err := toml.DecodeFile(paperProfile, &p)
	if err != nil {
		t.Fatalf("%s: %v", paperProfile, err)
	}
	if u := md.Undecoded(); len(u) > 0 {
		t.Fatalf("%s: unknown keys %v", paperProfile, u)
	}
	return &p
}

func (p *testProfile) CPUGHz() float64 { return p.CPU }

func (p *testProfile) Cost(k datapath.Kind, plugin, mode string, pl datapath.Placement) (float64, float64, bool) {
	best, score := -1, -1
	for i, e := range p.Entries {
		if e.Stage != k.String() ||
			(e.Plugin != "" && e.Plugin != plugin) ||
			(e.Mode != "" && e.Mode != mode) ||
			(e.Placement != "" && e.Placement != string(pl)) {
			continue
		}
		s := 0
		if e.Plugin != "" {
			s += 4
		}
		if e.Mode != "" {
			s += 2
		}
		if e.Placement != "" {
			s++
		}
		if s > score {
			best, score = i, s
		}
	}
	if best < 0 {
		return 0, 0, false
	}
	return p.Entries[best].Cycles, p.Entries[best].CyclesPerByte, true
}

// Every entry of the built-in profile carries provenance and a source, and
// every stage kind has a cost for both placements.
func TestPaperProfileComplete(t *testing.T) {
	p := loadPaper(t)
	if p.Name != "paper" || p.CPU != 2.4 {
		t.Errorf("profile %q at %g GHz, want paper at 2.4 GHz (paper III.A)", p.Name, p.CPU)
	}
	for i, e := range p.Entries {
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
	p := loadPaper(t)
	tests := []struct {
		k            datapath.Kind
		plugin, mode string
		pl           datapath.Placement
		want         float64
	}{
		{datapath.Netfilter, "calico", "ipip", datapath.Intra, 2200}, // plugin+placement
		{datapath.Netfilter, "", "", datapath.Intra, 1467},           // placement
		{datapath.Netfilter, "flannel", "vxlan", datapath.Intra, 1467},
		{datapath.Encrypt, "weave", "sleeve", datapath.Inter, 600}, // plugin+mode
		{datapath.Encrypt, "weave", "fastdp", datapath.Inter, 400}, // generic
		{datapath.IPForward, "host", "host", datapath.Inter, 150},  // plugin beats placement
		{datapath.IPForward, "calico", "native", datapath.Inter, 640},
	}
	for _, tt := range tests {
		if c, _, _ := p.Cost(tt.k, tt.plugin, tt.mode, tt.pl); c != tt.want {
			t.Errorf("Cost(%s, %s, %s, %s) = %g, want %g", tt.k, tt.plugin, tt.mode, tt.pl, c, tt.want)
		}
	}
}
