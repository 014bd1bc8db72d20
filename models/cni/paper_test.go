package cni

import (
	"slices"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// The paper table is consistent with itself and with the models: every
// quote names configurations of its placement, every configuration is a
// built-in plugin and mode, and the native routing solutions of III.C
// (Kube-router, Cali-*-xsub) are the unencapsulated ones.
func TestPaperTable(t *testing.T) {
	for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
		var native []string
		for _, c := range PaperConfigs(pl) {
			n, err := c.Native()
			if err != nil {
				t.Errorf("%s %s: %v", pl, c.Label, err)
			}
			if n {
				native = append(native, c.Label)
			}
		}
		if want := []string{"Kube-router", "Cali-np-xsub", "Cali-wp-xsub"}; pl == datapath.Inter && !slices.Equal(native, want) {
			t.Errorf("inter native %v, want %v", native, want)
		}
		for _, q := range PaperQuotes(pl) {
			if len(q.Stages) == 0 || len(q.Labels) == 0 || q.Cite == "" {
				t.Errorf("incomplete quote %+v", q)
			}
			for _, l := range q.Labels {
				if _, err := PaperConfigNamed(pl, l); err != nil {
					t.Error(err)
				}
				if got, ok := PaperQuote(pl, l, q.Stages...); !ok || got.Cite != q.Cite {
					t.Errorf("%s %s %v: two quotes, or none", pl, l, q.Stages)
				}
			}
		}
	}
	if _, err := PaperConfigNamed(datapath.Intra, "Cali-np-xsub"); err == nil {
		t.Error("an inter-host label found intra-host")
	}
}

func TestQuoteBounds(t *testing.T) {
	for _, c := range []struct {
		q      Quote
		lo, hi float64
	}{
		{Quote{CPP: 80, Approx: true}, 72, 88},
		{Quote{CPP: 2200}, 2178, 2222},
		{Quote{Lo: 700, Hi: 880}, 700, 880},
		{Quote{Absent: true}, 0, 0},
	} {
		if lo, hi := c.q.Bounds(0.1, 0.01); lo != c.lo || hi != c.hi {
			t.Errorf("%+v: [%g, %g], want [%g, %g]", c.q, lo, hi, c.lo, c.hi)
		}
	}
}

func TestEncapAndNative(t *testing.T) {
	want := map[string][2]string{
		"flannel": {"vxlan", "host-gw"}, "weave": {"fastdp", ""}, "cilium": {"vxlan", "native"},
		"calico": {"ipip", "native"}, "kube-router": {"ipip", "native"}, "host": {"", "host"},
	}
	for _, n := range Names() {
		e, nat := builtin(t, n).EncapAndNative()
		if got := [2]string{e, nat}; got != want[n] {
			t.Errorf("%s: %q, want %q", n, got, want[n])
		}
	}
	if got := PodNetworks(); !slices.Equal(got, []string{"flannel", "weave", "cilium", "calico", "kube-router"}) {
		t.Errorf("PodNetworks() = %v", got)
	}
}
