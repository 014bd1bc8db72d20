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
	// PolicyRules is how many rules of the server pod's ingress policy a
	// packet toward that pod walks (cost = base + per-rule cost x rules):
	// see Path for where.
	PolicyRules int
	// Engine is the policy engine that evaluates the rules: one the mode
	// offers (Mode.Engines), "" for the mode's default. Its rule_cost in
	// the calibration profile prices the rules.
	Engine Engine
	// Encrypt turns on the mode's encryption (Weave, Cilium).
	Encrypt bool
	// RuleCycles overrides the profile's per-rule cost, in cycles, with no
	// base cost; 0 uses the profile's rule_cost of the engine.
	RuleCycles float64
	// PolicyConntrack says the rule set sits behind a conntrack
	// ESTABLISHED accept (Calico, kube-proxy): only connection-opening
	// packets walk the PolicyRules, so their cost goes to
	// CostedStep.RuleCycles instead of Cycles. False: every packet toward
	// the server pod walks them (a stateless rule set).
	PolicyConntrack bool
}

// RuleCostSource prices policy rules: what a packet that walks the rules
// of engine pays on entering the chain (base) and per rule, in cycles at
// the source's CPUGHz, for a plugin and mode, in a table of tableRules
// rules (a large table is walked partly out of cache). A calibration profile
// implements it with its [[rule_cost]] tables; the error names the profile
// and the engine when it has no price.
type RuleCostSource interface {
	RuleCycles(engine, plugin, mode string, tableRules int) (base, perRule float64, err error)
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

// Path returns the costed graph the network model executes toward the
// server pod (the pod a connection is opened to: data of a stream,
// requests of RR, the client's ACKs of a download). Each step costs the
// profile's entry for (stage, plugin, mode, placement); a policy step of a
// plugin whose policy toggle is off costs the plugin-independent entry.
//
// The opt.PolicyRules are the server pod's ingress policy, as Linux
// enforces it: walked once per packet, at the last step marked rules (the
// policy hook nearest the server pod: its node's FORWARD chain or tc/OVS
// hook inter-host), costing base + rules x per-rule cost from the
// profile's rule_cost of the engine in effect. Stateless, every packet
// pays it (Cycles); with opt.PolicyConntrack only connection-opening
// packets do (RuleCycles), conntrack accepting the rest as ESTABLISHED.
// Packets back from the server pod walk no rules of it (ReturnPath).
func (m *Model) Path(mode string, placement datapath.Placement, opt PathOptions, costs datapath.CostSource) (datapath.CostedPath, error) {
	return m.path(mode, placement, opt, costs, true)
}

// ReturnPath is Path in the other direction, from the server pod back to
// the client pod (ACKs of a stream, responses, a download's data): the
// same stages at the same costs, but no walk of the server pod's ingress
// rules. Conntrack (or the client's own policy, which policy_rules does
// not model) passes them; they do not enter the server pod's chain.
func (m *Model) ReturnPath(mode string, placement datapath.Placement, opt PathOptions, costs datapath.CostSource) (datapath.CostedPath, error) {
	return m.path(mode, placement, opt, costs, false)
}

func (m *Model) path(mode string, placement datapath.Placement, opt PathOptions, costs datapath.CostSource, toServer bool) (datapath.CostedPath, error) {
	if costs == nil {
		return datapath.CostedPath{}, fmt.Errorf("plugin %s: no calibration profile", m.Name)
	}
	md, specs, err := m.selectSteps(mode, placement, opt)
	if err != nil {
		return datapath.CostedPath{}, err
	}
	walk := -1 // the step where the rules are walked
	var walkCycles float64
	if toServer && opt.PolicyRules > 0 {
		if walkCycles, err = m.ruleWalk(md, opt, costs); err != nil {
			return datapath.CostedPath{}, err
		}
		for i, s := range specs {
			if s.Rules {
				walk = i
			}
		}
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
		if i == walk {
			// Count crossings walk Count times; the walk is charged once.
			if w := walkCycles / float64(s.Count); opt.PolicyConntrack {
				cs.RuleCycles = w
			} else {
				cs.Cycles += w
			}
		}
		cp.Steps[i] = cs
	}
	if cp.InterHost {
		cp.EncapBytes = md.encapBytes(opt.Encrypt)
		cp.OuterDF = md.OuterDF
		cp.Encap = md.Encap
		if opt.Encrypt {
			cp.Encryption = md.Encryption
		}
	}
	if err := md.deviceOffloads(&cp, costs); err != nil {
		return datapath.CostedPath{}, fmt.Errorf("plugin %s: %w", m.Name, err)
	}
	return cp, nil
}

// ruleWalk is the cost in cycles of one walk of opt.PolicyRules rules by
// the engine in effect: base + rules x per rule.
func (m *Model) ruleWalk(md *Mode, opt PathOptions, costs datapath.CostSource) (float64, error) {
	n := float64(opt.PolicyRules)
	if opt.RuleCycles > 0 {
		return n * opt.RuleCycles, nil
	}
	engine, _ := md.engine(m.Name, string(opt.Engine)) // checked by selectSteps
	rc, ok := costs.(RuleCostSource)
	if !ok {
		return 0, fmt.Errorf("the calibration profile prices no policy rules (engine %s, plugin %s, mode %s)", engine, m.Name, md.Name)
	}
	base, per, err := rc.RuleCycles(string(engine), m.Name, md.Name, opt.PolicyRules)
	if err != nil {
		return 0, err
	}
	return base + n*per, nil
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
	if _, err := md.engine(m.Name, string(opt.Engine)); err != nil {
		return nil, nil, fmt.Errorf("policy engine %q: %v", opt.Engine, err)
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
