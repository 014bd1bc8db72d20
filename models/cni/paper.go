package cni

import (
	"fmt"
	"slices"

	"github.com/cnisim/cnisim/models/datapath"
)

// The CNI paper's configurations and the per-stage cycles per packet it
// quotes (seeds/003, III.B and III.C, Fig. 3-6), in one table looked up by
// label. The catalog's figures and checks (experiments/catalog), the
// simulation's paper tests (experiments/simulate) and the models' own CPP
// tests read them from here. The built-in profile
// (calibration/profiles/paper.toml) derives its per-crossing costs from
// the same quotes; its provenance strings cite them.

// PaperConfig is one bar of the paper's Fig. 3-6: a plugin configuration
// under the paper's name.
type PaperConfig struct {
	Label  string // the paper's name: "Flannel", "Calico-wp", "Cali-np-xsub"
	Plugin string // built-in plugin
	Mode   string // "": the plugin's default mode, which the paper ran
	Policy bool   // Calico's "wp" (policy fully installed) vs "np"
}

var (
	paperIntra = []PaperConfig{
		{Label: "Flannel", Plugin: "flannel"},
		{Label: "Weave", Plugin: "weave"},
		{Label: "Cilium", Plugin: "cilium"},
		{Label: "Kube-router", Plugin: "kube-router"},
		{Label: "Calico-np", Plugin: "calico"},
		{Label: "Calico-wp", Plugin: "calico", Policy: true},
	}
	// "xsub" is the paper's name for Calico's native routing.
	paperInter = []PaperConfig{
		{Label: "Flannel", Plugin: "flannel"},
		{Label: "Weave", Plugin: "weave"},
		{Label: "Cilium", Plugin: "cilium"},
		{Label: "Kube-router", Plugin: "kube-router"},
		{Label: "Cali-np-ipip", Plugin: "calico", Mode: "ipip"},
		{Label: "Cali-wp-ipip", Plugin: "calico", Mode: "ipip", Policy: true},
		{Label: "Cali-np-xsub", Plugin: "calico", Mode: "native"},
		{Label: "Cali-wp-xsub", Plugin: "calico", Mode: "native", Policy: true},
	}
)

// PaperConfigs returns the configurations of a placement in the paper's
// order: intra-host Fig. 3(a)-(c) and 4, inter-host Fig. 3(d)-(f), 5 and 6.
func PaperConfigs(pl datapath.Placement) []PaperConfig {
	if pl == datapath.Intra {
		return slices.Clone(paperIntra)
	}
	return slices.Clone(paperInter)
}

// PaperConfigNamed returns the configuration with that label in a
// placement.
func PaperConfigNamed(pl datapath.Placement, label string) (PaperConfig, error) {
	for _, c := range PaperConfigs(pl) {
		if c.Label == label {
			return c, nil
		}
	}
	return PaperConfig{}, fmt.Errorf("no %s-host configuration %q in the paper", pl, label)
}

// ModeIn returns the configuration's mode in the plugin's model: Mode, or
// the model's default.
func (c PaperConfig) ModeIn(m *Model) (*Mode, error) {
	name := c.Mode
	if name == "" {
		name = m.DefaultMode
	}
	return m.Mode(name)
}

// Native reports whether the configuration routes between hosts without
// encapsulation: the paper's "native routing solutions" (III.C), read
// from the built-in model.
func (c PaperConfig) Native() (bool, error) {
	m, err := Builtin(c.Plugin)
	if err != nil {
		return false, err
	}
	md, err := c.ModeIn(m)
	if err != nil {
		return false, err
	}
	return md.Encap == datapath.EncapNone, nil
}

// Quote is what the paper says about the cycles per packet of a stage, or
// of the sum of stages, for some of its configurations, on the node its
// perf measured (formula III.1: the one node intra-host, the receiver
// inter-host).
type Quote struct {
	Placement datapath.Placement
	Stages    []datapath.Kind // summed
	Labels    []string        // the configurations it is said of
	CPP       float64         // the number
	Lo, Hi    float64         // a quoted range (700-880) instead of a number
	// Approx: "~x", read off the bars of Fig. 4/5 and rounded in the
	// text; otherwise stated plainly.
	Approx bool
	// Absent: the configuration has no such stage (Cilium: no netfilter).
	Absent bool
	// Derived says how CPP follows from quoted numbers ("2200 / 1.5"), or
	// is empty for a number the paper states.
	Derived string
	Cite    string // section and claim
}

var (
	veth, bridge, fib   = []datapath.Kind{datapath.Veth}, []datapath.Kind{datapath.Bridge}, []datapath.Kind{datapath.FIB}
	ipForward, fibFwd   = []datapath.Kind{datapath.IPForward}, []datapath.Kind{datapath.FIB, datapath.IPForward}
	netfilter, ebpfHook = []datapath.Kind{datapath.Netfilter}, []datapath.Kind{datapath.EBPF}
	vxlanDev, ipipDev   = []datapath.Kind{datapath.VXLAN}, []datapath.Kind{datapath.IPIP}
	ovsDP               = []datapath.Kind{datapath.OVS}
	intra, inter        = datapath.Intra, datapath.Inter
)

// paperQuotes: III.B (Fig. 4, intra-host) then III.C (Fig. 5, inter-host).
var paperQuotes = []Quote{
	{intra, veth, []string{"Flannel", "Weave", "Cilium", "Kube-router", "Calico-np", "Calico-wp"}, 80, 0, 0, true, false, "", "III.B Veth: ~80 CPP for send and receive"},
	{intra, bridge, []string{"Flannel", "Weave", "Kube-router"}, 250, 0, 0, true, false, "", "III.B Bridge: ~250 CPP"},
	{intra, fib, []string{"Calico-np", "Calico-wp"}, 200, 0, 0, true, false, "", "III.B FIB & IP forwarding: Calico FIB ~200 CPP"},
	{intra, ipForward, []string{"Calico-np", "Calico-wp"}, 240, 0, 0, false, false, "", "III.B: IP forwarding an extra 240 CPP"},
	{intra, ebpfHook, []string{"Cilium"}, 1200, 0, 0, true, false, "", "III.B eBPF: Cilium ~1200 CPP"},
	{intra, netfilter, []string{"Calico-wp"}, 2200, 0, 0, false, false, "", "III.B Netfilter: Calico-wp 2200 CPP"},
	{intra, netfilter, []string{"Flannel", "Weave", "Kube-router", "Calico-np"}, 2200 / 1.5, 0, 0, false, false, "2200 / 1.5", "III.B Netfilter: Calico-wp's 2200 is 1.5x the others"},
	{intra, bridge, []string{"Calico-np", "Calico-wp"}, 0, 0, 0, false, true, "", "III.B: Calico forwards with the host IP stack, no bridge"},
	{intra, netfilter, []string{"Cilium"}, 0, 0, 0, false, true, "", "III.B: Cilium has no Netfilter overhead"},
	{intra, bridge, []string{"Cilium"}, 0, 0, 0, false, true, "", "III.B: Cilium uses eBPF instead of bridge and IP forwarding"},
	{intra, ipForward, []string{"Cilium"}, 0, 0, 0, false, true, "", "III.B: Cilium uses eBPF instead of bridge and IP forwarding"},

	{inter, veth, []string{"Flannel", "Cilium", "Kube-router", "Cali-np-ipip", "Cali-wp-ipip", "Cali-np-xsub", "Cali-wp-xsub"}, 45, 0, 0, true, false, "", "III.C Veth: ~45 CPP"},
	{inter, veth, []string{"Weave"}, 90, 0, 0, true, false, "", "III.C Veth: Weave ~90 CPP (4 veth pairs vs 2)"},
	{inter, fibFwd, []string{"Weave", "Cilium", "Kube-router", "Cali-np-xsub", "Cali-wp-xsub"}, 0, 700, 880, false, false, "", "III.C FIB & IP forwarding: one host-stack traversal, 700-880 CPP"},
	{inter, fibFwd, []string{"Flannel", "Cali-np-ipip", "Cali-wp-ipip"}, 0, 1300, 1500, false, false, "", "III.C FIB & IP forwarding: two traversals, 1300-1500 CPP"},
	{inter, ebpfHook, []string{"Cilium"}, 1550, 0, 0, false, false, "", "III.C eBPF: 1550 CPP inter-host"},
	{inter, vxlanDev, []string{"Flannel", "Weave", "Cilium"}, 900, 0, 0, true, false, "", "III.C Overlay: VXLAN ~900 CPP"},
	{inter, ipipDev, []string{"Cali-np-ipip", "Cali-wp-ipip"}, 250, 0, 0, true, false, "", "III.C Overlay: IP-in-IP ~250 CPP"},
	{inter, ovsDP, []string{"Weave"}, 250, 0, 0, true, false, "", "III.C Overlay: Weave OVS datapath ~250 CPP"},
	{inter, netfilter, []string{"Cilium"}, 0, 0, 0, false, true, "", "III.B/C: Cilium has no Netfilter"},
}

// PaperFIBForwardOverBridge is III.B's "This overhead of both FIB and IP
// forwarding is nearly 1.7x higher than the overhead of bridging
// approaches" (Calico's FIB + IP forwarding over the bridge's CPP).
const PaperFIBForwardOverBridge = 1.7

// PaperQuotes returns the quotes of a placement in the paper's order.
func PaperQuotes(pl datapath.Placement) []Quote {
	var out []Quote
	for _, q := range paperQuotes {
		if q.Placement == pl {
			out = append(out, q)
		}
	}
	return out
}

// PaperQuote returns what the paper says of exactly these stages (summed)
// for the configuration label in a placement; ok is false where it says
// nothing.
func PaperQuote(pl datapath.Placement, label string, stages ...datapath.Kind) (Quote, bool) {
	for _, q := range paperQuotes {
		if q.Placement == pl && slices.Equal(q.Stages, stages) && slices.Contains(q.Labels, label) {
			return q, true
		}
	}
	return Quote{}, false
}

// Bounds returns the interval a measured CPP must fall in: the range as
// quoted, [0, 0] for an absent stage, else CPP within the relative
// tolerance approx ("~x") or exact (a stated number) that the caller
// chooses for its own rounding.
func (q Quote) Bounds(approx, exact float64) (lo, hi float64) {
	switch {
	case q.Absent:
		return 0, 0
	case q.Lo != 0 || q.Hi != 0:
		return q.Lo, q.Hi
	case q.Approx:
		return (1 - approx) * q.CPP, (1 + approx) * q.CPP
	}
	return (1 - exact) * q.CPP, (1 + exact) * q.CPP
}
