package cni

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// variant names a plugin, mode and options: the configurations of the paper
// (Calico's wp/np is the policy toggle, "xsub" is mode native).
type variant struct {
	label, plugin, mode string
	opt                 PathOptions
}

var (
	wp = PathOptions{Policy: true}
	np = PathOptions{}
)

func builtin(t testing.TB, name string) *Model {
	t.Helper()
	m, err := Builtin(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func counts(t testing.TB, v variant, pl datapath.Placement) [2][datapath.NumKinds]float64 {
	t.Helper()
	c, err := builtin(t, v.plugin).StageCounts(v.mode, pl, v.opt)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func both(c [2][datapath.NumKinds]float64, k datapath.Kind) float64 {
	return c[datapath.Src][k] + c[datapath.Dst][k]
}

// allModes lists every built-in plugin and mode.
func allModes(t testing.TB) []variant {
	var vs []variant
	for _, n := range Names() {
		for _, md := range builtin(t, n).Modes {
			vs = append(vs, variant{label: n + "/" + md.Name, plugin: n, mode: md.Name})
		}
	}
	return vs
}
