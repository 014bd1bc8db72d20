package calibration

import (
	"fmt"
	"strings"
)

// LayerSep separates the layers of a profile list written as one string
// ("paper,node1.toml"), the form --set and the scenario's resolved text
// use; a scenario file may also give an array ["paper", "node1.toml"].
const LayerSep = ","

// SplitLayers splits a profile list into its layers, trimming spaces. An
// empty element (",," or a trailing comma) is an error naming the list.
func SplitLayers(list string) ([]string, error) {
	parts := strings.Split(list, LayerSep)
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" {
			return nil, fmt.Errorf("calibration profile list %q: layer %d is empty (want built-in names or .toml paths separated by %q)", list, i+1, LayerSep)
		}
	}
	return parts, nil
}

// Layer merges profiles in order: an entry of a later profile replaces the
// entry of an earlier one with the same (stage, plugin, mode, placement),
// a rule_cost the one with the same (engine, plugin, mode), and a
// gro_frame or gso_segment the one with the same device. Entries are
// copied whole, so each keeps its own provenance and source; replaced
// entries keep their position, new ones are appended in their layer's
// order, so the result is deterministic. The name joins the layers' names
// with "+"; cpu_ghz is the last layer's (the machine the top layer
// describes; cycles of earlier layers are used as they are), and so is
// per_byte_scaling. Each entry keeps the per-byte scaling it had in its
// own layer (see pinScaling): one its layer left implicit is written on
// the entry where the merged profile's default differs, and a "fixed"
// per-byte cost of a layer at another clock is restated at the merged
// cpu_ghz so that it keeps its time per byte. Layer of one profile is a
// copy of it.
func Layer(ps ...*Profile) *Profile {
	if len(ps) == 0 {
		return nil
	}
	if len(ps) > 1 {
		ps = pinScaling(ps)
	}
	out := ps[0].Clone()
	names := []string{out.Name}
	descs := []string{}
	if out.Description != "" {
		descs = append(descs, out.Description)
	}
	for _, p := range ps[1:] {
		q := p.Clone()
		names = append(names, q.Name)
		if q.Description != "" {
			descs = append(descs, q.Description)
		}
		out.GHz, out.PerByteScaling = q.GHz, q.PerByteScaling
		out.Costs = overlay(out.Costs, q.Costs, (*Entry).key)
		out.RuleCosts = overlay(out.RuleCosts, q.RuleCosts, (*RuleCost).lkey)
		out.GROFrames = overlay(out.GROFrames, q.GROFrames, (*FrameCost).device)
		out.GSOSegments = overlay(out.GSOSegments, q.GSOSegments, (*FrameCost).device)
	}
	out.Name = strings.Join(names, "+")
	if len(ps) > 1 {
		out.Description = "layered: " + strings.Join(names, ", then ")
		if len(descs) > 0 {
			out.Description += " (" + strings.Join(descs, "; ") + ")"
		}
	}
	return out
}

type ruleKey struct{ engine, plugin, mode string }

// overlay lays top over base: an item replaces base's item with the same
// key in place, the others are appended in top's order.
func overlay[T any, K comparable](base, top []T, key func(*T) K) []T {
	at := make(map[K]int, len(base))
	for i := range base {
		at[key(&base[i])] = i
	}
	for _, e := range top {
		if i, ok := at[key(&e)]; ok {
			base[i] = e
		} else {
			at[key(&e)] = len(base)
			base = append(base, e)
		}
	}
	return base
}

func (r *RuleCost) lkey() ruleKey { return ruleKey{r.Engine, r.Plugin, r.Mode} }

// LoadLayers loads each layer of list (see SplitLayers; each a built-in
// name or a path, as Load takes) and merges them with Layer. A single
// name or path loads as Load does.
func LoadLayers(list string) (*Profile, error) {
	parts, err := SplitLayers(list)
	if err != nil {
		return nil, err
	}
	ps := make([]*Profile, len(parts))
	for i, s := range parts {
		if ps[i], err = Load(s); err != nil {
			if len(parts) > 1 {
				return nil, fmt.Errorf("layer %d of %q: %w", i+1, list, err)
			}
			return nil, err
		}
	}
	out := Layer(ps...)
	if err := out.Validate(); err != nil { // layers are valid, so is the merge; kept as a guard
		return nil, fmt.Errorf("calibration profile %q: %w", list, err)
	}
	return out, nil
}

// Shadowed lists the entries of top that an earlier layer (base) overrides
// in Cost's lookup for some plugin, mode or placement: base has an entry
// of the same stage that matches a subset of what top's entry matches and
// is more specific, so top's cost never reaches those paths. A generic
// `calibrate perf` profile layered over "paper" is the usual case: paper's
// per-plugin entries keep winning; calibrate with --plugin and --placement
// to replace them.
func Shadowed(base, top *Profile) []string {
	var out []string
	for i := range top.Costs {
		t := &top.Costs[i]
		for j := range base.Costs {
			b := &base.Costs[j]
			if b.Stage != t.Stage || b.key() == t.key() || specificity(b) <= specificity(t) ||
				(t.Plugin != "" && b.Plugin != t.Plugin) || (t.Mode != "" && b.Mode != t.Mode) ||
				(t.Placement != "" && b.Placement != t.Placement) {
				continue
			}
			out = append(out, fmt.Sprintf("%s (plugin %q, mode %q, placement %q) is shadowed by %s's entry for plugin %q, mode %q, placement %q",
				t.Stage, t.Plugin, t.Mode, t.Placement, base.Name, b.Plugin, b.Mode, b.Placement))
		}
	}
	return out
}

// pinScaling returns copies of the layers whose entries mean in the merged
// profile (the last layer's cpu_ghz and per_byte_scaling) what they meant
// in their own layer:
//   - an entry with a per-byte cost that inherits its layer's scaling,
//     where that differs from the merged default, gets it written on the
//     entry;
//   - a "fixed" per-byte cost is cycles_per_byte / cpu_ghz ns per byte of
//     its own layer; at the merged cpu_ghz G that is cycles_per_byte x G /
//     cpu_ghz, with the arithmetic appended to its source.
//
// "clock" costs are cycles and need neither. Layers of one clock and one
// scaling (the built-in paper layers) come back unchanged.
func pinScaling(ps []*Profile) []*Profile {
	top := ps[len(ps)-1]
	out := make([]*Profile, len(ps))
	for i, p := range ps {
		out[i] = p
		if i == len(ps)-1 {
			continue
		}
		for j := range p.Costs {
			e := &p.Costs[j]
			s := p.EntryScaling(e)
			pin := e.PerByteScaling == "" && e.CyclesPerByte != 0 && s != top.ByteScaling()
			rescale := s == ScaleFixed && e.CyclesPerByte != 0 && p.GHz != top.GHz
			if !pin && !rescale {
				continue
			}
			if out[i] == p {
				out[i] = p.Clone()
			}
			q := &out[i].Costs[j]
			if pin {
				q.PerByteScaling = s
			}
			if rescale {
				q.CyclesPerByte = e.CyclesPerByte * top.GHz / p.GHz
				q.Source += fmt.Sprintf(" [layer %s: fixed per-byte cost restated at %g GHz: %g x %g / %g = %g cycles per byte]",
					p.Name, top.GHz, e.CyclesPerByte, top.GHz, p.GHz, q.CyclesPerByte)
			}
		}
	}
	return out
}
