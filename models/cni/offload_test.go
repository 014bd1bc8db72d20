package cni

import (
	"os"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// Every built-in mode's path gets its offload limits from the devices it
// crosses: tunnels and veth/bridge/OVS carry super-packets and (tunnels)
// let the NIC's GRO merge, so those paths are unlimited (and their
// results unchanged); ESP and WireGuard cut super-packets at the
// encryption (ESP also loses GRO), a user-space daemon at its first step
// (and loses GRO). The receiving NIC spreads a path by the two nodes alone
// (RSSByNodes) when its outermost header has no inner ports: IP-in-IP,
// GRE, ESP and the user-space tunnels; VXLAN and Geneve carry the flow's
// hash in their source port, and WireGuard's decryption spreads over the
// cores (so, by flow). Of those by the nodes, IP-in-IP and GRE can be
// hashed by their inner header (RSSInner); ESP and the daemons' datagrams
// cannot.
func TestDeviceOffloadsOfBuiltins(t *testing.T) {
	t.Parallel()
	p := loadPaper(t)
	for _, c := range []struct {
		plugin, mode string
		encrypt      bool
		cutAt        datapath.Kind // the step kind software GSO cuts at; 0 (veth) for none
		cut, noGRO   bool
		byNodes      bool
		inner        bool
	}{
		{"flannel", "vxlan", false, 0, false, false, false, false},
		{"flannel", "host-gw", false, 0, false, false, false, false},
		{"flannel", "udp", false, datapath.Userspace, true, true, true, false},
		{"calico", "ipip", false, 0, false, false, true, true},
		{"calico", "vxlan", false, 0, false, false, false, false},
		{"calico", "native", false, 0, false, false, false, false},
		{"cilium", "vxlan", false, 0, false, false, false, false},
		{"cilium", "geneve", false, 0, false, false, false, false},
		{"cilium", "vxlan", true, datapath.Encrypt, true, false, false, false}, // WireGuard: its own GSO, GRO on its NAPI
		{"weave", "fastdp", false, 0, false, false, false, false},
		{"weave", "fastdp", true, datapath.Encrypt, true, true, true, false}, // ESP
		{"weave", "sleeve", true, datapath.Userspace, true, true, true, false},
		{"kube-router", "gre", false, 0, false, false, true, true},
		{"kube-router", "ipip", false, 0, false, false, true, true},
	} {
		m := builtin(t, c.plugin)
		cp, err := m.Path(c.mode, datapath.Inter, PathOptions{Encrypt: c.encrypt}, p)
		if err != nil {
			t.Fatalf("%s %s: %v", c.plugin, c.mode, err)
		}
		name := c.plugin + " " + c.mode
		if c.encrypt {
			name += " encrypted"
		}
		if got := cp.GSOCut > 0; got != c.cut {
			t.Errorf("%s: GSO cut %v (step %d), want %v", name, got, cp.GSOCut, c.cut)
		} else if c.cut {
			st := cp.Steps[cp.GSOCut-1]
			if st.Kind != c.cutAt || st.Side != datapath.Src {
				t.Errorf("%s: cut at %s %s, want the first src %s", name, st.Side, st.Kind, c.cutAt)
			}
			for _, e := range cp.Steps[:cp.GSOCut-1] {
				if e.Kind == c.cutAt && e.Side == datapath.Src {
					t.Errorf("%s: cut after an earlier %s step", name, c.cutAt)
				}
			}
		}
		if cp.NoGRO != c.noGRO {
			t.Errorf("%s: no GRO %v, want %v", name, cp.NoGRO, c.noGRO)
		}
		// GRO's parsing of a UDP tunnel (VXLAN, Geneve, OVS's VXLAN vports)
		// costs each merged frame more; of the others none is measured, and
		// an encrypted path arrives in the encryption's header
		wantExtra := 0.0
		if !c.encrypt && (c.mode == "vxlan" || c.mode == "geneve" || c.plugin == "weave" && c.mode == "fastdp") {
			wantExtra = 344
		}
		if cp.GROFrameExtra != wantExtra {
			t.Errorf("%s: GRO frame extra %v cycles, want %v", name, cp.GROFrameExtra, wantExtra)
		}
		if cp.RSSByNodes != c.byNodes || cp.RSSInner != c.inner {
			t.Errorf("%s: RSS by the nodes %v, inner %v; want %v, %v", name, cp.RSSByNodes, cp.RSSInner, c.byNodes, c.inner)
		}
		// WireGuard merges on its own NAPI after decrypting each packet
		late := c.plugin == "cilium" && c.encrypt
		if (cp.GROFrom > 0) != late {
			t.Errorf("%s: GRO from step %d, want late GRO %v", name, cp.GROFrom, late)
		} else if late {
			if st := cp.Steps[cp.GROFrom-2]; st.Kind != datapath.Encrypt || st.Side != datapath.Dst {
				t.Errorf("%s: GRO after %s %s, want after the dst encrypt", name, st.Side, st.Kind)
			}
		}
		intra, err := m.Path(c.mode, datapath.Intra, PathOptions{}, p)
		if err != nil {
			t.Fatal(err)
		}
		if intra.GSOCut != 0 || intra.NoGRO || intra.RSSByNodes {
			t.Errorf("%s intra: cut %d no GRO %v RSS by nodes %v, want none (veth and bridge pass super-packets; no NIC)", name, intra.GSOCut, intra.NoGRO, intra.RSSByNodes)
		}
	}
}

// The table has an entry with a source for every device a step can be,
// and every encryption a mode can declare.
func TestDeviceTableComplete(t *testing.T) {
	t.Parallel()
	ds, err := DeviceOffloads()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, d := range ds {
		have[d.Device] = true
		if !strings.HasPrefix(d.Source, "quoted:") && !strings.HasPrefix(d.Source, "assumed:") {
			t.Errorf("%s: source %q must say quoted: or assumed:", d.Device, d.Source)
		}
	}
	for _, k := range datapath.Kinds() {
		if n := deviceOf(k, datapath.EncapNone); n != "" && k != datapath.Encrypt && !have[n] {
			t.Errorf("no entry for device %s", n)
		}
	}
	for _, e := range []datapath.Encap{datapath.EncapESP, datapath.EncapWireGuard, datapath.EncapNaCl} {
		if !have[e.String()] {
			t.Errorf("no entry for encryption %s", e)
		}
	}
}

// A mode's device_offloads replace the built-in capabilities for its
// paths: antrea's encap mode (Geneve + ESP) with ESP declared able to
// carry super-packets and GRO (a NIC with ESP offload) gets neither the
// cut nor the lost GRO, but keeps ESP's one receive core per node pair;
// "none" on veth cuts at the first veth.
func TestModeDeviceOffloads(t *testing.T) {
	t.Parallel()
	base, err := os.ReadFile("testdata/antrea.toml")
	if err != nil {
		t.Fatal(err)
	}
	p := loadPaper(t)
	for _, c := range []struct {
		decl       string
		cut, noGRO bool
		cutAt      datapath.Kind
	}{
		{"", true, true, datapath.Encrypt},
		{`device_offloads = { esp = "gso,gro" }`, false, false, 0},
		{`device_offloads = { esp = "gso, gro", veth = "none" }`, true, false, datapath.Veth},
	} {
		src := strings.Replace(string(base), `encryption = "esp"`, "encryption = \"esp\"\n"+c.decl, 1)
		m, err := Parse("antrea.toml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", c.decl, err)
		}
		cp, err := m.Path("encap", datapath.Inter, PathOptions{Encrypt: true}, p)
		if err != nil {
			t.Fatal(err)
		}
		if (cp.GSOCut > 0) != c.cut || cp.NoGRO != c.noGRO || c.cut && cp.Steps[cp.GSOCut-1].Kind != c.cutAt {
			t.Errorf("%q: cut %d no GRO %v; want cut %v at %s, no GRO %v", c.decl, cp.GSOCut, cp.NoGRO, c.cut, c.cutAt, c.noGRO)
		}
		// offloads in the NIC change nothing of how RSS sees ESP's header
		if !cp.RSSByNodes {
			t.Errorf("%q: ESP spread by flow, want by the two nodes (one SA per node pair)", c.decl)
		}
	}
}
