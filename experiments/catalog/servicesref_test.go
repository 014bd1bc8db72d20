package catalog

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/calibration"
)

// The kubeproxy-blog-2025 layer's per-rule cost is the arithmetic of the
// quoted bars (a changed reading or a hand-edited layer fails here).
func TestBlogLayerIsDerivedFromTheQuotedBars(t *testing.T) {
	p, err := calibration.LoadLayers("paper,kubeproxy-blog-2025")
	if err != nil {
		t.Fatal(err)
	}
	_, per, err := p.RuleCycles("iptables", "flannel", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := per/p.GHz, blogNsPerRule(); math.Abs(got-want) > 0.005 {
		t.Errorf("layer prices an iptables rule at %.3f ns, the quoted bars give %.3f ns", got, want)
	}
	if p.GHz != 2.4 {
		t.Errorf("layering over paper changed the clock to %v GHz", p.GHz)
	}
	for _, r := range p.RuleCosts {
		if r.Engine == "iptables" && r.Provenance != "derived" {
			t.Errorf("iptables rule cost provenance %q, want derived", r.Provenance)
		}
	}
}

// The readings: the numbers the layer's source and the checks quote, and
// the figure's shape (p50 < p90 < p99 at every size; p50..p99 grow with
// the Services).
func TestBlogReadings(t *testing.T) {
	for _, c := range []struct {
		p, s int
		us   float64
	}{{1, 0, 48.8}, {1, 2, 273.5}, {2, 0, 121.3}, {2, 2, 494.7}, {3, 0, 153.9}, {3, 2, 715.8}, {0, 2, 41.5}} {
		if got := blogLatencyUs(c.p, c.s); math.Abs(got-c.us) > 0.05 {
			t.Errorf("%s at %d Services = %.2f µs, quoted as %.1f", blogPercentiles[c.p], blogServices[c.s], got, c.us)
		}
	}
	for s := range blogServices {
		for p := 2; p < len(blogPercentiles); p++ {
			if blogLatencyUs(p, s) <= blogLatencyUs(p-1, s) {
				t.Errorf("%d Services: %s not above %s", blogServices[s], blogPercentiles[p], blogPercentiles[p-1])
			}
		}
	}
	for p := 1; p < len(blogPercentiles); p++ {
		for s := 1; s < len(blogServices); s++ {
			if blogLatencyUs(p, s) <= blogLatencyUs(p, s-1) {
				t.Errorf("%s: %d Services not above %d", blogPercentiles[p], blogServices[s], blogServices[s-1])
			}
		}
	}
	if got := blogNsPerRule(); math.Abs(got-17.98) > 0.01 {
		t.Errorf("per-rule cost %.3f ns, the layer's source says 17.98", got)
	}
}
