package perf

import (
	"fmt"
	"path"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
)

// Rule maps symbols matching Pattern (a glob: * any run of characters, ?
// one character, [...] a class) to Stage: a canonical stage kind, or
//
//	"other" - stop here: the sample is unattributed;
//	"pass"  - this frame does not decide: keep walking toward the root.
//
// Space says which frames the rule looks at: "kernel" (the default, also
// for ""), "user" or "any". perf marks user-space frames by their dso (a
// file path, [unknown], [vdso]).
//
// Owner (a stage kind only) makes the frame claim every sample decided
// beneath it for its stage, up to a Boundary frame; Boundary frames end
// an owner's claim (device hand-offs, softirq entries). See defaultRules
// for the whole procedure. Both are optional TOML keys (owner = true,
// boundary = true): map files written before them still read the same.
type Rule struct {
	Pattern  string `toml:"pattern"`
	Stage    string `toml:"stage"`
	Space    string `toml:"space,omitempty"`
	Owner    bool   `toml:"owner,omitempty"`
	Boundary bool   `toml:"boundary,omitempty"`
}

// Rule spaces.
const (
	SpaceKernel = "kernel"
	SpaceUser   = "user"
	SpaceAny    = "any"
)

// Special rule targets.
const (
	StageOther = "other"
	StagePass  = "pass"
)

// DefaultRules returns a copy of the built-in rule table.
func DefaultRules() []Rule {
	return append([]Rule(nil), defaultRules...)
}

// matcher is a compiled rule table with a cache of symbol verdicts:
// profiles repeat a few thousand symbols millions of times.
type matcher struct {
	rules []compiled
	cache map[frame]verdict
}

type compiled struct {
	pattern         string
	stage           int // a datapath.Kind, or targetOther / targetPass
	kernel, user    bool
	owner, boundary bool
}

const (
	targetOther = -1
	targetPass  = -2
	targetNone  = -3 // no rule matches
)

// verdict is what the tables say about one symbol.
type verdict struct {
	stage    int  // rule target, or targetNone
	owner    bool // the rule claims what is called beneath the frame
	boundary bool // the frame ends an owner's claim
	idle     bool // an idle-loop function
	irq      bool // an interrupt or softirq entry point
}

// compileRules checks every rule; errors name the rule and the allowed
// stages.
func compileRules(rs []Rule) (*matcher, error) {
	m := &matcher{cache: map[frame]verdict{}}
	for i, r := range rs {
		st, key, err := checkRule(r)
		if err != nil {
			return nil, fmt.Errorf("rule %d %s: %v", i, key, err)
		}
		c := compiled{pattern: r.Pattern, stage: st, owner: r.Owner, boundary: r.Boundary}
		switch r.Space {
		case "", SpaceKernel:
			c.kernel = true
		case SpaceUser:
			c.user = true
		default:
			c.kernel, c.user = true, true
		}
		m.rules = append(m.rules, c)
	}
	return m, nil
}

// checkRule returns the rule's target, or the faulty key and an error.
func checkRule(r Rule) (target int, key string, err error) {
	if r.Pattern == "" {
		return 0, "pattern", fmt.Errorf("empty pattern")
	}
	if _, err := path.Match(r.Pattern, ""); err != nil {
		return 0, "pattern", fmt.Errorf("bad pattern %q: %v", r.Pattern, err)
	}
	st, err := parseTarget(r.Stage)
	if err != nil {
		return 0, "stage", err
	}
	if r.Owner && st < 0 {
		return 0, "owner", fmt.Errorf("an owner rule needs a stage kind, not %q", r.Stage)
	}
	switch r.Space {
	case "", SpaceKernel, SpaceUser, SpaceAny:
	default:
		return 0, "space", fmt.Errorf("unknown space %q (valid: kernel, user, any)", r.Space)
	}
	return st, "", nil
}

func parseTarget(s string) (int, error) {
	switch s {
	case StageOther:
		return targetOther, nil
	case StagePass:
		return targetPass, nil
	}
	k, err := datapath.ParseKind(s)
	if err != nil {
		return 0, fmt.Errorf("%v, or %q (unattributed) or %q (keep walking)", err, StageOther, StagePass)
	}
	return int(k), nil
}

// classify returns the verdict of the first rule matching f (stage
// targetNone when none does). A pattern matches the symbol as printed
// (offset and GCC clone suffixes such as .isra.0 removed) or without its
// leading underscores, so tcp_* also covers __tcp_transmit_skb.
func (m *matcher) classify(f frame) verdict {
	if v, ok := m.cache[f]; ok {
		return v
	}
	sym := f.sym
	bare := strings.TrimLeft(sym, "_")
	v := verdict{stage: targetNone}
	for _, r := range m.rules {
		if (f.user && !r.user) || (!f.user && !r.kernel) {
			continue
		}
		if ok, _ := path.Match(r.pattern, sym); !ok {
			if ok, _ := path.Match(r.pattern, bare); !ok || bare == sym {
				continue
			}
		}
		v.stage, v.owner, v.boundary = r.stage, r.owner, r.boundary
		break
	}
	if !f.user {
		v.idle, v.irq = matchAny(idlePatterns, sym), matchAny(irqPatterns, sym)
	}
	m.cache[f] = v
	return v
}

// attribute returns the stage of a stack (leaf first): a kind, or
// targetOther. The leaf walk finds the innermost frame some rule decides;
// the owner pass then looks from that frame toward the root for the
// nearest owner frame, stopping at a boundary frame (defaultRules).
func (m *matcher) attribute(frames []frame) int {
	for i, f := range frames {
		v := m.classify(f)
		if v.stage == targetNone || v.stage == targetPass {
			continue
		}
		if v.owner || v.boundary {
			return v.stage
		}
		for _, g := range frames[i+1:] {
			w := m.classify(g)
			if w.boundary {
				break
			}
			if w.owner {
				return w.stage
			}
		}
		return v.stage
	}
	return targetOther
}

// cleanSymbol strips the +0x offset and GCC clone suffixes (.isra.0,
// .constprop.0, .part.0, .cold) from a printed symbol.
func cleanSymbol(s string) string {
	if i := strings.LastIndex(s, "+0x"); i > 0 {
		s = s[:i]
	}
	for _, suf := range []string{".isra", ".constprop", ".part", ".cold", ".llvm"} {
		if i := strings.Index(s, suf); i > 0 {
			s = s[:i]
		}
	}
	return s
}
