package cni

import (
	"bytes"
	"testing"

	"github.com/cnisim/cnisim/internal/golden"
)

// cni.Table() rendered reproduces the paper's Table I (II.A) for the five
// CNIs, derived from the model files, plus the host baseline.
func TestTable1Golden(t *testing.T) {
	t.Parallel()
	rows, err := Table()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := FormatTable(&b, rows); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/table1.golden", b.Bytes())
	// Table I of the paper, cell by cell.
	paper := map[string][4]string{
		"flannel":     {"Hybrid+Underlay/Overlay", "VXLAN/UDP", "No", "-"},
		"weave":       {"Hybrid+Overlay", "VXLAN/UDP", "Yes", "Multicast, Encryption"},
		"cilium":      {"L3+Underlay/Overlay", "VXLAN/Geneve", "Yes", "IPv6, Encryption"},
		"calico":      {"L3+Underlay/Overlay", "IP-in-IP/VXLAN", "Yes", "IPv6"},
		"kube-router": {"Hybrid+Underlay/Overlay", "IP-in-IP/GRE", "Yes", "IPVS/LVS"},
	}
	for _, r := range rows {
		if w, ok := paper[r.Plugin]; ok && [4]string{r.NetworkModel, r.Tunnels, r.Policy, r.Features} != w {
			t.Errorf("%s: %v, want Table I %v", r.Plugin, [4]string{r.NetworkModel, r.Tunnels, r.Policy, r.Features}, w)
		}
	}
}
