package cni

import (
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// fixedCosts charges every stage 100 cycles at a chosen frequency.
type fixedCosts struct{ ghz float64 }

func (f fixedCosts) Cost(datapath.Kind, string, string, datapath.Placement) (float64, float64, bool) {
	return 100, 0, true
}
func (f fixedCosts) CPUGHz() float64 { return f.ghz }

// Calico's toggle: policy on costs its stages with the calico entry
// (paper III.B: 2200 CPP per data packet = 1.5 traversals per data packet
// with the ACKs -> 1466.67 per traversal), off with the generic one
// (2200 / 1.5 / 1.5 = 977.78).
func TestPolicyToggle(t *testing.T) {
	t.Parallel()
	p := loadPaper(t)
	calico := builtin(t, "calico")
	for _, tt := range []struct {
		opt  PathOptions
		want float64
	}{{wp, 1466.67}, {np, 977.78}} {
		cp, err := calico.Path("ipip", datapath.Intra, tt.opt, p)
		if err != nil {
			t.Fatal(err)
		}
		if got := cp.ByKind(datapath.Src, 0)[datapath.Netfilter]; got != tt.want {
			t.Errorf("calico policy=%v: netfilter %g, want %g", tt.opt.Policy, got, tt.want)
		}
	}
}

func TestPathErrors(t *testing.T) {
	t.Parallel()
	p := loadPaper(t)
	tests := []struct {
		plugin, mode string
		pl           datapath.Placement
		opt          PathOptions
		want         string
	}{
		{"flannel", "geneve", datapath.Inter, np, "modes: vxlan, udp, host-gw"},
		{"flannel", "vxlan", "elsewhere", np, "valid: intra, inter"},
		{"flannel", "vxlan", datapath.Inter, PathOptions{Policy: true}, "no network policy"},
		{"flannel", "vxlan", datapath.Inter, PathOptions{PolicyRules: 5}, "policy_rules must be 0"},
		{"calico", "ipip", datapath.Inter, PathOptions{PolicyRules: 5}, "needs policy = true"},
		{"calico", "ipip", datapath.Inter, PathOptions{Policy: true, PolicyRules: -1}, "want 0 or more"},
		{"calico", "ipip", datapath.Inter, PathOptions{Encrypt: true}, "no encryption"},
		{"weave", "fastdp", datapath.Inter, PathOptions{RuleCycles: -1}, "want 0 (default) or more"},
		{"calico", "ipip", datapath.Inter, PathOptions{Engine: "ipvs"}, `policy engine "ipvs": plugin calico mode ipip offers iptables, nftables, ebpf (default iptables)`},
		{"flannel", "vxlan", datapath.Inter, PathOptions{Engine: "iptables"}, "no network policy, so no policy engine"},
	}
	for _, tt := range tests {
		_, err := builtin(t, tt.plugin).Path(tt.mode, tt.pl, tt.opt, p)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s/%s %s %+v: error %v, want %q", tt.plugin, tt.mode, tt.pl, tt.opt, err, tt.want)
		}
	}
	if _, err := builtin(t, "host").Path("host", datapath.Inter, np, nil); err == nil {
		t.Error("nil cost source accepted")
	}
	if _, err := builtin(t, "host").Path("host", datapath.Inter, np, emptyCosts{}); err == nil || !strings.Contains(err.Error(), "no cost for stage syscall") {
		t.Errorf("empty profile: %v", err)
	}
}

type emptyCosts struct{}

func (emptyCosts) Cost(datapath.Kind, string, string, datapath.Placement) (float64, float64, bool) {
	return 0, 0, false
}
func (emptyCosts) CPUGHz() float64 { return 2.4 }

// Pod MTU per mode at underlay 1500 and 9000, and the vendor analysis's
// Weave encryption case: Weave sizes the pod MTU for VXLAN only, so with
// ESP a full-sized packet is one fragment too many (two on the wire).
func TestPodMTUAndFragmentation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plugin, mode string
		opt          PathOptions
		mtu1500      int
		mtu9000      int
	}{
		{"flannel", "vxlan", np, 1450, 8950},
		{"flannel", "udp", np, 1472, 8972},
		{"flannel", "host-gw", np, 1500, 9000},
		{"calico", "ipip", np, 1480, 8980},
		{"kube-router", "gre", np, 1476, 8976},
		{"cilium", "geneve", np, 1450, 8950},
		{"cilium", "native", PathOptions{Encrypt: true}, 1440, 8940}, // WireGuard 60
		{"weave", "fastdp", PathOptions{Encrypt: true}, 1450, 8950},  // ESP not accounted
		{"host", "host", np, 1500, 9000},
	}
	for _, tt := range tests {
		m := builtin(t, tt.plugin)
		for _, u := range [][2]int{{1500, tt.mtu1500}, {9000, tt.mtu9000}} {
			got, err := m.PodMTU(tt.mode, u[0], tt.opt)
			if err != nil || got != u[1] {
				t.Errorf("%s/%s at %d: pod MTU %d (%v), want %d", tt.plugin, tt.mode, u[0], got, err, u[1])
			}
		}
	}
	weave := builtin(t, "weave")
	g, _ := weave.Graph("fastdp", datapath.Inter, PathOptions{Encrypt: true})
	mtu, _ := weave.PodMTU("fastdp", 9000, PathOptions{Encrypt: true})
	outer := mtu + g.EncapBytes
	n, drop, err := datapath.Oversize(outer, 9000, g.OuterDF)
	if err != nil || n != 2 || drop {
		t.Errorf("weave fastdp+ESP at 9000: outer %d bytes -> %d fragments, drop %v; want 2 fragments (vendor analysis)", outer, n, drop)
	}
	plain, _ := weave.Graph("fastdp", datapath.Inter, np)
	mtu, _ = weave.PodMTU("fastdp", 9000, np)
	if n, _, _ := datapath.Oversize(mtu+plain.EncapBytes, 9000, false); n != 1 {
		t.Errorf("weave fastdp without encryption fragments: %d", n)
	}
	if _, err := weave.PodMTU("fastdp", 100, np); err == nil {
		t.Error("pod MTU below 68 accepted")
	}
}
