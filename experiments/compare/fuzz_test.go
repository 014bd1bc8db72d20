package compare

import (
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// FuzzBaseline: any --baseline text is refused with an error or pairs
// every point with a point of the plan that has the baseline's values.
func FuzzBaseline(f *testing.F) {
	for _, s := range []string{"cni.mode=host-gw", "fabric.oversubscription=3", "fabric.oversubscription=2.0", "cni.mode=", "=", "x", "cni.mode=[1]", "fabric.oversubscription=1e400"} {
		f.Add(s, "")
		f.Add(s, "cni.mode=vxlan")
	}
	p := load(f, sweep2)
	f.Fuzz(func(t *testing.T, a, b string) {
		var os []scenario.Override
		for _, s := range []string{a, b} {
			if s == "" {
				continue
			}
			o, err := scenario.ParseSet(s)
			if err != nil {
				return
			}
			os = append(os, o)
		}
		base, err := NewBaseline(p, os)
		if err != nil {
			return
		}
		for i := range p.Len() {
			j := base.Of(i)
			if j < 0 || j >= p.Len() {
				t.Fatalf("Of(%d) = %d: outside the plan's %d points", i, j, p.Len())
			}
			for _, bp := range base.Params {
				for _, pp := range p.Point(j).Params {
					if pp.Key == bp.Key && pp.Value != bp.Value {
						t.Fatalf("Of(%d) = %d has %s=%v, the baseline %v", i, j, pp.Key, pp.Value, bp.Value)
					}
				}
			}
		}
	})
}
