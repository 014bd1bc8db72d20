package cni

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
)

// build validates a decoded file and turns it into a Model. Errors carry
// the file, the line where one can be found, and the allowed values.
func build(fm *fileModel, loc *locator) (*Model, error) {
	if strings.TrimSpace(fm.Name) == "" {
		return nil, loc.errf(0, "missing plugin name (name = \"...\")")
	}
	if len(fm.Mode) == 0 {
		return nil, loc.errf(0, "plugin %s declares no modes (add a [[mode]] table)", fm.Name)
	}
	m := &Model{Name: fm.Name, Description: fm.Description, DefaultMode: fm.DefaultMode,
		Features: append([]string(nil), fm.Features...)}
	var shared []StepSpec
	if len(fm.Intra) > 0 {
		var err error
		if shared, err = buildSteps(fm.Intra, loc, -1, "intra", "top-level"); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	for i := range fm.Mode {
		md, err := buildMode(&fm.Mode[i], i, shared, loc)
		if err != nil {
			return nil, err
		}
		if seen[md.Name] {
			return nil, loc.errf(loc.keyIn(i, "name"), "duplicate mode %q", md.Name)
		}
		seen[md.Name] = true
		m.Modes = append(m.Modes, *md)
	}
	if m.DefaultMode == "" {
		return nil, loc.errf(0, "missing default_mode (modes: %s)", strings.Join(m.ModeNames(), ", "))
	}
	if !seen[m.DefaultMode] {
		return nil, loc.errf(loc.keyIn(-1, "default_mode"), "default_mode %q is not a mode of %s (modes: %s)",
			m.DefaultMode, m.Name, strings.Join(m.ModeNames(), ", "))
	}
	return m, nil
}

func buildMode(fm *fileMode, i int, shared []StepSpec, loc *locator) (*Mode, error) {
	line := loc.modeLine(i)
	if fm.Name == "" {
		return nil, loc.errf(line, "[[mode]] number %d has no name", i+1)
	}
	bad := func(key, format string, args ...any) error {
		return loc.errf(loc.keyIn(i, key), "mode %q: %s: %s", fm.Name, key, fmt.Sprintf(format, args...))
	}
	md := &Mode{Name: fm.Name, Description: fm.Description, OuterDF: fm.OuterDF}
	var err error
	if md.NetworkModel, err = oneOf(fm.NetworkModel, networkModels); err != nil {
		return nil, bad("network_model", "%v", err)
	}
	if md.Encap, err = datapath.ParseEncap(fm.Encapsulation); err != nil {
		return nil, bad("encapsulation", "%v", err)
	}
	if md.Encap.IsEncryption() {
		return nil, bad("encapsulation", "%s is an encryption; declare it with encryption = %q", md.Encap, md.Encap)
	}
	if md.Policy, err = oneOf(def(fm.Policy, "none"), policySupports); err != nil {
		return nil, bad("policy", "%v", err)
	}
	if md.Engine, err = oneOf(def(fm.PolicyEngine, "none"), engines); err != nil {
		return nil, bad("policy_engine", "%v", err)
	}
	if (md.Policy == PolicyNone) != (md.Engine == EngineNone) {
		return nil, bad("policy_engine", "policy = %q needs policy_engine %s", md.Policy,
			map[bool]string{true: `"none"`, false: engineList(engines[1:])}[md.Policy == PolicyNone])
	}
	if md.Engines, err = buildEngines(md, fm.PolicyEngines); err != nil {
		return nil, bad("policy_engines", "%v", err)
	}
	if md.Encryption, err = datapath.ParseEncap(def(fm.Encryption, "none")); err != nil {
		return nil, bad("encryption", "%v", err)
	}
	if md.Encryption != datapath.EncapNone && !md.Encryption.IsEncryption() {
		return nil, bad("encryption", "%q is a tunnel, not an encryption (valid: none, esp, nacl, wireguard)", fm.Encryption)
	}
	if md.MTURule, err = oneOf(def(fm.MTURule, "all"), mtuRules); err != nil {
		return nil, bad("mtu_rule", "%v", err)
	}
	if md.Devices, err = buildDeviceOffloads(fm.DeviceOffloads); err != nil {
		return nil, bad("device_offloads", "%v", err)
	}

	switch {
	case len(fm.Intra) > 0:
		if md.Intra, err = buildSteps(fm.Intra, loc, i, "intra", fmt.Sprintf("mode %q", md.Name)); err != nil {
			return nil, err
		}
	case len(shared) > 0:
		md.Intra = shared
	default:
		return nil, loc.errf(line, "mode %q: empty intra path (give the mode an intra list or the file a top-level one)", md.Name)
	}
	if len(fm.Inter) == 0 {
		return nil, loc.errf(line, "mode %q: empty inter path (inter = [ ... ])", md.Name)
	}
	if md.Inter, err = buildSteps(fm.Inter, loc, i, "inter", fmt.Sprintf("mode %q", md.Name)); err != nil {
		return nil, err
	}
	if err := checkMode(md); err != nil {
		return nil, loc.errf(line, "mode %q: %v", md.Name, err)
	}
	return md, nil
}

// buildEngines reads policy_engines, the engines a mode offers
// (cni.policy_engine): absent, only the default policy_engine; present, it
// must list the default and no engine twice. The default comes first.
func buildEngines(md *Mode, names []string) ([]Engine, error) {
	out := []Engine{md.Engine}
	if names == nil {
		return out, nil
	}
	if md.Policy == PolicyNone {
		return nil, fmt.Errorf("policy = \"none\" offers no engines; leave policy_engines out")
	}
	hasDefault := false
	for _, n := range names {
		e, err := oneOf(n, engines[1:])
		if err != nil {
			return nil, err
		}
		switch {
		case e == md.Engine && !hasDefault:
			hasDefault = true
		case slices.Contains(out[1:], e) || e == md.Engine:
			return nil, fmt.Errorf("%q listed twice", n)
		default:
			out = append(out, e)
		}
	}
	if !hasDefault {
		return nil, fmt.Errorf("must list the default policy_engine %q (it lists %s)", md.Engine, strings.Join(names, ", "))
	}
	return out, nil
}

func def(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func buildSteps(fs []fileStep, loc *locator, mode int, list, owner string) ([]StepSpec, error) {
	out := make([]StepSpec, len(fs))
	for j, f := range fs {
		bad := func(format string, args ...any) error {
			return loc.errf(loc.stepLine(mode, list, j), "%s %s step %d: %s", owner, list, j+1, fmt.Sprintf(format, args...))
		}
		k, err := datapath.ParseKind(f.Stage)
		if err != nil {
			return nil, bad("%v", err)
		}
		var side datapath.Side
		switch f.Side {
		case "src":
			side = datapath.Src
		case "dst":
			side = datapath.Dst
		default:
			return nil, bad("unknown side %q (valid: src, dst)", f.Side)
		}
		ctx, err := datapath.ParseContext(f.Context)
		if err != nil {
			return nil, bad("%v", err)
		}
		count := 1
		if f.Count != nil {
			count = *f.Count
			if count < 1 || count > 64 {
				return nil, bad("count %d, want 1..64", count)
			}
		}
		if f.When != "" && f.When != "encrypt" {
			return nil, bad("unknown when %q (valid: \"encrypt\", or leave it out)", f.When)
		}
		out[j] = StepSpec{
			Step:   datapath.Step{Kind: k, Side: side, Context: ctx, Count: count},
			Policy: f.Policy, Rules: f.Rules, EncryptOnly: f.When == "encrypt",
		}
	}
	return out, nil
}

// tunnelKind is the stage that does a tunnel's work.
var tunnelKind = map[datapath.Encap]datapath.Kind{
	datapath.EncapVXLAN: datapath.VXLAN, datapath.EncapGeneve: datapath.Geneve,
	datapath.EncapIPIP: datapath.IPIP, datapath.EncapGRE: datapath.GRE,
	datapath.EncapUDP: datapath.Userspace,
}

// checkMode checks a mode's graphs against its declared attributes.
func checkMode(md *Mode) error {
	for _, variant := range []bool{false, true} {
		if variant && md.Encryption == datapath.EncapNone {
			break
		}
		for _, pl := range []struct {
			name  string
			steps []StepSpec
			inter bool
		}{{"intra", md.Intra, false}, {"inter", md.Inter, true}} {
			p := datapath.Path{InterHost: pl.inter}
			for _, s := range pl.steps {
				if !s.EncryptOnly || variant {
					p.Steps = append(p.Steps, s.Step)
				}
			}
			if err := p.Validate(); err != nil {
				return fmt.Errorf("%s path: %v", pl.name, err)
			}
			if err := needTCP(p); err != nil {
				return fmt.Errorf("%s path: %v", pl.name, err)
			}
		}
	}
	var rules, policy, encrypt [2]int
	var kinds [2][datapath.NumKinds]int
	for _, s := range md.Inter {
		if s.Rules {
			rules[s.Side]++
		}
		if s.Policy {
			policy[s.Side]++
		}
		if s.EncryptOnly {
			encrypt[s.Side]++
		}
		kinds[s.Side][s.Kind] += s.Count
	}
	for _, s := range md.Intra {
		if s.EncryptOnly {
			return fmt.Errorf("intra path: when = \"encrypt\" on %s; encryption applies between nodes only", s.Kind)
		}
	}
	if md.Policy == PolicyNone && (rules[0]+rules[1]+policy[0]+policy[1] > 0 || anyFlag(md.Intra)) {
		return fmt.Errorf("steps marked policy/rules but policy = \"none\"")
	}
	if md.Policy != PolicyNone && (rules[datapath.Src] == 0 && rules[datapath.Dst] == 0) {
		return fmt.Errorf("policy = %q but no inter step has rules = true (where policy rules are walked)", md.Policy)
	}
	if md.Encryption == datapath.EncapNone && encrypt[0]+encrypt[1] > 0 {
		return fmt.Errorf("steps with when = \"encrypt\" but no encryption declared")
	}
	if md.Encryption != datapath.EncapNone && (encrypt[datapath.Src] == 0 || encrypt[datapath.Dst] == 0) {
		return fmt.Errorf("encryption = %q needs when = \"encrypt\" steps on both src and dst", md.Encryption)
	}
	if k, ok := tunnelKind[md.Encap]; ok {
		if kinds[datapath.Src][k] == 0 || kinds[datapath.Dst][k] == 0 {
			return fmt.Errorf("encapsulation %s needs a %s step on both src and dst of the inter path", md.Encap, k)
		}
	}
	if md.Encap == datapath.EncapNone {
		for _, k := range []datapath.Kind{datapath.VXLAN, datapath.Geneve, datapath.IPIP, datapath.GRE} {
			if kinds[0][k]+kinds[1][k] > 0 {
				return fmt.Errorf("inter path has a %s step but encapsulation = \"none\"", k)
			}
		}
	}
	return nil
}

func anyFlag(ss []StepSpec) bool {
	for _, s := range ss {
		if s.Policy || s.Rules {
			return true
		}
	}
	return false
}

// needTCP refuses a path without the protocol processing at both sockets:
// a tcp step on src (tcp_sendmsg) and on dst (tcp_v4_rcv). Without them the
// transport is free and a model runs at hundreds of Gbit/s (issue 19).
func needTCP(p datapath.Path) error {
	var tcp [2]bool
	for _, s := range p.Steps {
		if s.Kind == datapath.TCP {
			tcp[s.Side] = true
		}
	}
	for _, side := range []datapath.Side{datapath.Src, datapath.Dst} {
		if !tcp[side] {
			return fmt.Errorf("no tcp step on %s (the protocol processing every packet gets at the %s socket)", side, map[datapath.Side]string{datapath.Src: "sending", datapath.Dst: "receiving"}[side])
		}
	}
	return nil
}
