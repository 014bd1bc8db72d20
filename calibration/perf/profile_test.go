package perf

import (
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/datapath"
)

func TestResultProfile(t *testing.T) {
	spec := scriptSpec{counts: []stageCount{{"veth", 8}, {"vxlan", 30}, {"other", 2}}, period: 1000, event: "cycles"}
	r := analyze(t, spec.text(), Options{Packets: 10, CPUGHz: 2.4})
	// veth: 8 x 1000 / 10 = 800 CPP over 2 crossings; vxlan 3000 CPP, once.
	p, err := r.Profile(ProfileOptions{Name: "lab", Plugin: "flannel", Mode: "vxlan", Placement: "inter",
		Crossings: map[datapath.Kind]float64{datapath.Veth: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Costs) != 2 {
		t.Fatalf("entries %+v (other must be left out)", p.Costs)
	}
	c, _, ok := p.Cost(datapath.Veth, "flannel", "vxlan", datapath.Inter)
	if !ok || c != 400 {
		t.Errorf("veth per crossing %v, want 400", c)
	}
	if c, _, _ := p.Cost(datapath.VXLAN, "flannel", "vxlan", datapath.Inter); c != 3000 {
		t.Errorf("vxlan %v, want 3000", c)
	}
	for _, e := range p.Costs {
		if e.Provenance != calibration.Derived || !strings.Contains(e.Source, r.InputSHA256) ||
			!strings.Contains(e.Source, "10 packets") || !strings.Contains(e.Source, "mapping builtin") {
			t.Errorf("entry %+v", e)
		}
	}
	// What Profile writes, calibration reads back.
	data, err := p.TOML()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := calibration.Parse(data, "out.toml"); err != nil {
		t.Errorf("%v\n%s", err, data)
	}
	if _, err := r.Profile(ProfileOptions{Crossings: map[datapath.Kind]float64{datapath.Veth: 0}}); err == nil {
		t.Error("zero crossings accepted")
	}
	if _, err := r.Profile(ProfileOptions{Placement: "nowhere"}); err == nil {
		t.Error("bad placement accepted")
	}
}

func TestWriteTable(t *testing.T) {
	spec := scriptSpec{counts: []stageCount{{"veth", 8}, {"other", 2}}, period: 1000, event: "cycles"}
	r := analyze(t, spec.text(), Options{Packets: 10, CPUGHz: 2.4})
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"veth", "800.0", "80.00", "ip_rcv_core", "unattributed 20.0%"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("table lacks %q:\n%s", w, b.String())
		}
	}
}
