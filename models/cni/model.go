package cni

import (
	"fmt"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
)

// Model is a validated CNI plugin model.
type Model struct {
	Name        string
	Description string
	DefaultMode string
	Features    []string // Table I "Additional Features"
	Modes       []Mode   // in file order
	Source      string   // "builtin" or the file path it was loaded from
}

// Mode is one way of running a plugin, with its two component graphs.
type Mode struct {
	Name         string
	Description  string
	NetworkModel NetworkModel
	Encap        datapath.Encap // tunnel, EncapNone for native routing
	Policy       PolicySupport
	Engine       Engine         // what evaluates network policy by default
	Engines      []Engine       // the engines the mode offers, Engine first
	Encryption   datapath.Encap // what PathOptions.Encrypt adds; EncapNone if unsupported
	MTURule      MTURule
	OuterDF      bool
	// Devices override the built-in device offload capabilities
	// (DeviceOffloads) for this mode, by device name; nil: none.
	Devices      map[string]DeviceOffload
	Intra, Inter []StepSpec
}

// StepSpec is a graph step as declared, with the flags Path needs.
type StepSpec struct {
	datapath.Step
	// Policy: the plugin's own policy chains or programs run here. With a
	// policy toggle switched off the step is costed with the profile's
	// plugin-independent entry (the plugin's chains are absent).
	Policy bool
	// Rules: a policy hook of the rules PathOptions.PolicyRules adds; the
	// last such step of a path toward the server pod walks them (Path).
	Rules bool
	// EncryptOnly: the step exists only when encryption is on.
	EncryptOnly bool
}

// NetworkModel is one of the paper's four network models (Fig. 1), or none
// for the host baseline.
type NetworkModel string

// The network models of paper II.A.
const (
	L3Overlay      NetworkModel = "L3+Overlay"
	L3Underlay     NetworkModel = "L3+Underlay"
	HybridOverlay  NetworkModel = "Hybrid+Overlay"
	HybridUnderlay NetworkModel = "Hybrid+Underlay"
	NoPodNetwork   NetworkModel = "none"
)

var networkModels = []NetworkModel{L3Overlay, L3Underlay, HybridOverlay, HybridUnderlay, NoPodNetwork}

// PolicySupport says whether a mode enforces network policy.
type PolicySupport string

// Policy support values.
const (
	PolicyNone   PolicySupport = "none"   // no network policy (Flannel)
	PolicyAlways PolicySupport = "always" // policy engine always installed
	PolicyToggle PolicySupport = "toggle" // PathOptions.Policy switches it (Calico wp/np)
)

var policySupports = []PolicySupport{PolicyNone, PolicyAlways, PolicyToggle}

// Engine is what evaluates network-policy rules; the calibration profile's
// [[rule_cost]] of the engine prices PathOptions.PolicyRules.
type Engine string

// Policy engines.
const (
	EngineNone     Engine = "none"
	EngineIptables Engine = "iptables" // linear chains: a fixed cost per non-matching rule
	EngineNftables Engine = "nftables" // linear chains, or sets and maps
	EngineIPVS     Engine = "ipvs"     // IPVS hash tables (kube-router's service proxy)
	EngineEBPF     Engine = "ebpf"     // hash-map lookups: nearly flat
	EngineOVS      Engine = "ovs"      // OpenFlow tables behind the megaflow cache: nearly flat
)

var engines = []Engine{EngineNone, EngineIptables, EngineNftables, EngineIPVS, EngineEBPF, EngineOVS}

// PolicyEngine returns the engine that evaluates the mode's policy rules
// for a requested name: the mode's default for "", else the name if the
// mode offers it. The error lists what the mode offers (without the name,
// which the caller's key shows).
func (m *Model) PolicyEngine(mode, name string) (Engine, error) {
	md, err := m.Mode(mode)
	if err != nil {
		return "", err
	}
	return md.engine(m.Name, name)
}

func (md *Mode) engine(plugin, name string) (Engine, error) {
	if name == "" {
		return md.Engine, nil
	}
	for _, e := range md.Engines {
		if string(e) == name {
			return e, nil
		}
	}
	if md.Policy == PolicyNone {
		return "", fmt.Errorf("plugin %s mode %s has no network policy, so no policy engine (leave it empty)", plugin, md.Name)
	}
	return "", fmt.Errorf("plugin %s mode %s offers %s (default %s)", plugin, md.Name, engineList(md.Engines), md.Engine)
}

func engineList(es []Engine) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}

// MTURule says how the plugin sizes the pod MTU from the underlay MTU.
type MTURule string

// MTU rules.
const (
	// MTUAll subtracts every header the mode adds (tunnel and encryption).
	MTUAll MTURule = "all"
	// MTUTunnel subtracts only the tunnel header: encrypted full-sized
	// packets exceed the underlay MTU (Weave + ESP, vendor analysis).
	MTUTunnel MTURule = "tunnel"
)

var mtuRules = []MTURule{MTUAll, MTUTunnel}

// Mode returns the named mode; the error names the plugin's modes.
func (m *Model) Mode(name string) (*Mode, error) {
	for i := range m.Modes {
		if m.Modes[i].Name == name {
			return &m.Modes[i], nil
		}
	}
	return nil, fmt.Errorf("plugin %s has no mode %q (modes: %s)", m.Name, name, strings.Join(m.ModeNames(), ", "))
}

// EncapAndNative returns the plugin's encapsulating mode and its native
// routing mode (no encapsulation), "" where it has none: the default mode
// on its side, else the first mode of the other side in file order
// (Flannel: vxlan and host-gw; Weave: fastdp and none; Kube-router: ipip
// and native).
func (m *Model) EncapAndNative() (encap, native string) {
	for _, md := range m.Modes {
		switch {
		case md.Encap != datapath.EncapNone && (encap == "" || md.Name == m.DefaultMode):
			encap = md.Name
		case md.Encap == datapath.EncapNone && (native == "" || md.Name == m.DefaultMode):
			native = md.Name
		}
	}
	return encap, native
}

// ModeNames lists the modes in file order.
func (m *Model) ModeNames() []string {
	n := make([]string, len(m.Modes))
	for i, md := range m.Modes {
		n[i] = md.Name
	}
	return n
}

func oneOf[T ~string](v string, valid []T) (T, error) {
	for _, x := range valid {
		if string(x) == v {
			return x, nil
		}
	}
	s := make([]string, len(valid))
	for i, x := range valid {
		s[i] = string(x)
	}
	return "", fmt.Errorf("%q (valid: %s)", v, strings.Join(s, ", "))
}
