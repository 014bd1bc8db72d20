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
	Engine       Engine         // what evaluates network policy
	Encryption   datapath.Encap // what PathOptions.Encrypt adds; EncapNone if unsupported
	MTURule      MTURule
	OuterDF      bool
	Intra, Inter []StepSpec
}

// StepSpec is a graph step as declared, with the flags Path needs.
type StepSpec struct {
	datapath.Step
	// Policy: the plugin's own policy chains or programs run here. With a
	// policy toggle switched off the step is costed with the profile's
	// plugin-independent entry (the plugin's chains are absent).
	Policy bool
	// Rules: PathOptions.PolicyRules are walked here.
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

// Engine is what evaluates network-policy rules, which sets the per-rule
// cost of PathOptions.PolicyRules.
type Engine string

// Policy engines.
const (
	EngineNone     Engine = "none"
	EngineIptables Engine = "iptables" // linear chains: ~20 ns per rule
	EngineEBPF     Engine = "ebpf"     // hash-map lookups: nearly flat
	EngineOVS      Engine = "ovs"      // OpenFlow tables behind the megaflow cache: nearly flat
)

var engines = []Engine{EngineNone, EngineIptables, EngineEBPF, EngineOVS}

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
