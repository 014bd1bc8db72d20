package cni

import (
	"fmt"

	"github.com/cnisim/cnisim/models/datapath"
)

// PathOptions are the scenario's [cni] switches that change a graph or its
// costs.
type PathOptions struct {
	// Policy switches the policy engine of plugins with a toggle (Calico:
	// the paper's wp/np). Plugins whose policy is always on ignore it;
	// plugins without policy reject it.
	Policy bool
	// PolicyRules is how many extra policy rules a packet walks at each
	// stage marked rules = true (cost = base + per-rule cost x rules).
	PolicyRules int
	// Encrypt turns on the mode's encryption (Weave, Cilium).
	Encrypt bool
	// RuleCycles overrides the per-rule cost in cycles; 0 uses the
	// engine's default (RuleNanos) at the profile's CPU frequency.
	RuleCycles float64
	// PolicyConntrack says the rule set sits behind a conntrack
	// ESTABLISHED accept (Calico, kube-proxy): only connection-opening
	// packets walk the PolicyRules, so their cost goes to
	// CostedStep.RuleCycles instead of Cycles. False: every packet walks
	// them (DESIGN 2: netfilter cost = base + per-rule cost x rules).
	PolicyConntrack bool
}

// RuleNanos is the default cost of walking one policy rule, per engine.
// iptables: public kube-proxy measurements put a non-matching iptables rule
// at roughly 20 ns per packet (DESIGN 2), 48 cycles at 2.4 GHz (quoted,
// then derived). eBPF and OVS look rules up in hash maps and megaflow
// caches, nearly flat in the rule count: 0.1 ns per rule is assumed (a
// thousand rules add ~240 cycles of cache footprint at 2.4 GHz).
var RuleNanos = map[Engine]float64{
	EngineIptables: 20,
	EngineEBPF:     0.1,
	EngineOVS:      0.1,
	EngineNone:     0,
}

// Graph returns the uncosted component graph of a mode for a placement, with
// the steps the options select (encryption steps only when encrypting).
func (m *Model) Graph(mode string, placement datapath.Placement, opt PathOptions) (datapath.Path, error) {
	md, specs, err := m.selectSteps(mode, placement, opt)
	if err != nil {
		return datapath.Path{}, err
	}
	p := datapath.Path{Steps: make([]datapath.Step, len(specs)), InterHost: placement == datapath.Inter}
	for i, s := range specs {
		p.Steps[i] = s.Step
	}
	if p.InterHost {
		p.Encap = md.Encap
		p.EncapBytes = md.encapBytes(opt.Encrypt)
		p.OuterDF = md.OuterDF
	}
	return p, nil
}

// Path returns the costed graph the network model executes for one
// direction of a flow. Each step costs the profile's entry for (stage,
// plugin, mode, placement); a policy step of a plugin whose policy toggle
// is off costs the plugin-independent entry; steps marked rules add the
// per-rule cost times opt.PolicyRules, to every packet (Cycles) or, with
// opt.PolicyConntrack, to connection-opening packets only (RuleCycles).
func (m *Model) Path(mode string, placement datapath.Placement, opt PathOptions, costs datapath.CostSource) (datapath.CostedPath, error) {
	if costs == nil {
		return datapath.CostedPath{}, fmt.Errorf("plugin %s: no calibration profile", m.Name)
	}
	md, specs, err := m.selectSteps(mode, placement, opt)
	if err != nil {
		return datapath.CostedPath{}, err
	}
	ruleCycles := opt.RuleCycles
	if ruleCycles == 0 {
		ruleCycles = RuleNanos[md.Engine] * costs.CPUGHz()
	}
	cp := datapath.CostedPath{Steps: make([]datapath.CostedStep, len(specs)), InterHost: placement == datapath.Inter}
	for i, s := range specs {
		plugin, modeName := m.Name, md.Name
		if s.Policy && md.Policy == PolicyToggle && !opt.Policy {
			plugin, modeName = "", ""
		}
		c, cpb, ok := costs.Cost(s.Kind, plugin, modeName, placement)
		if !ok {
			return datapath.CostedPath{}, fmt.Errorf("calibration profile has no cost for stage %s (plugin %s, mode %s, %s)", s.Kind, m.Name, md.Name, placement)
		}
		cs := datapath.CostedStep{Step: s.Step, Cycles: c, CyclesPerByte: cpb}
		if s.Rules {
			if rc := ruleCycles * float64(opt.PolicyRules); opt.PolicyConntrack {
				cs.RuleCycles = rc
			} else {
				cs.Cycles += rc
			}
		}
		cp.Steps[i] = cs
	}
	if cp.InterHost {
		cp.EncapBytes = md.encapBytes(opt.Encrypt)
		cp.OuterDF = md.OuterDF
	}
	return cp, nil
}

// StageCounts returns the crossings per packet of every stage kind on each
// side (index with datapath.Src and datapath.Dst); intra-host both sides
// are one node.
func (m *Model) StageCounts(mode string, placement datapath.Placement, opt PathOptions) ([2][datapath.NumKinds]float64, error) {
	p, err := m.Graph(mode, placement, opt)
	if err != nil {
		return [2][datapath.NumKinds]float64{}, err
	}
	return p.Counts(), nil
}

// PerfCounts returns the crossings per packet on the node the paper's perf
// measured (III.B, III.C): the receiver node inter-host, the one node
// intra-host. These are the coefficients of a fit to CPP measurements.
func (m *Model) PerfCounts(mode string, placement datapath.Placement, opt PathOptions) ([datapath.NumKinds]float64, error) {
	c, err := m.StageCounts(mode, placement, opt)
	if err != nil || placement == datapath.Inter {
		return c[datapath.Dst], err
	}
	for k := range c[datapath.Src] {
		c[datapath.Src][k] += c[datapath.Dst][k]
	}
	return c[datapath.Src], nil
}

// PodMTU is the pod MTU the plugin configures on an underlay MTU: the
// underlay minus what the mode adds on the wire, except that a mode with
// mtu_rule = "tunnel" does not account for its encryption headers.
func (m *Model) PodMTU(mode string, underlayMTU int, opt PathOptions) (int, error) {
	md, err := m.Mode(mode)
	if err != nil {
		return 0, err
	}
	if opt.Encrypt && md.Encryption == datapath.EncapNone {
		return 0, m.noEncryption(md)
	}
	over := md.Encap.Overhead()
	if opt.Encrypt && md.MTURule == MTUAll {
		over += md.Encryption.Overhead()
	}
	return datapath.PodMTU(underlayMTU, over)
}

func (md *Mode) encapBytes(encrypt bool) int {
	b := md.Encap.Overhead()
	if encrypt {
		b += md.Encryption.Overhead()
	}
	return b
}

// selectSteps checks the options against the mode and returns its steps.
func (m *Model) selectSteps(mode string, placement datapath.Placement, opt PathOptions) (*Mode, []StepSpec, error) {
	md, err := m.Mode(mode)
	if err != nil {
		return nil, nil, err
	}
	var specs []StepSpec
	switch placement {
	case datapath.Intra:
		specs = md.Intra
	case datapath.Inter:
		specs = md.Inter
	default:
		return nil, nil, fmt.Errorf("unknown placement %q (valid: intra, inter)", placement)
	}
	switch {
	case opt.Encrypt && md.Encryption == datapath.EncapNone:
		return nil, nil, m.noEncryption(md)
	case opt.Policy && md.Policy == PolicyNone:
		return nil, nil, fmt.Errorf("plugin %s mode %s has no network policy; set policy = false", m.Name, md.Name)
	case opt.PolicyRules < 0:
		return nil, nil, fmt.Errorf("policy_rules %d: want 0 or more", opt.PolicyRules)
	case opt.PolicyRules > 0 && md.Policy == PolicyNone:
		return nil, nil, fmt.Errorf("plugin %s mode %s has no network policy; policy_rules must be 0", m.Name, md.Name)
	case opt.PolicyRules > 0 && md.Policy == PolicyToggle && !opt.Policy:
		return nil, nil, fmt.Errorf("plugin %s mode %s: policy_rules needs policy = true", m.Name, md.Name)
	case opt.RuleCycles < 0:
		return nil, nil, fmt.Errorf("rule cycles %g: want 0 (default) or more", opt.RuleCycles)
	}
	out := make([]StepSpec, 0, len(specs))
	for _, s := range specs {
		if !s.EncryptOnly || opt.Encrypt {
			out = append(out, s)
		}
	}
	return md, out, nil
}

func (m *Model) noEncryption(md *Mode) error {
	var with []string
	for _, x := range m.Modes {
		if x.Encryption != datapath.EncapNone {
			with = append(with, x.Name)
		}
	}
	if len(with) == 0 {
		return fmt.Errorf("plugin %s has no encryption; set encrypt = false", m.Name)
	}
	return fmt.Errorf("plugin %s mode %s has no encryption (modes with encryption: %v)", m.Name, md.Name, with)
}

// NodeCrossings returns the crossings per data packet and per ACK on one
// node of a configuration (datapath.Path.NodeCrossings): the definition
// of "crossings" that calibration and the simulator share.
func (m *Model) NodeCrossings(mode string, placement datapath.Placement, opt PathOptions, node datapath.Side) (datapath.Crossings, error) {
	p, err := m.Graph(mode, placement, opt)
	if err != nil {
		return datapath.Crossings{}, err
	}
	return p.NodeCrossings(node), nil
}
