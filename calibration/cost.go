package calibration

import "github.com/cnisim/cnisim/models/datapath"

var _ datapath.CostSource = (*Profile)(nil)

// Cost returns the cost of one crossing of kind for a plugin, mode and
// placement. Among the entries of that kind whose non-empty restrictions
// all match, the most specific wins:
//
//	plugin+mode+placement > plugin+mode > plugin+placement > plugin > placement > generic
//
// (a plugin outranks a placement, a mode refines a plugin). Validation
// forbids two entries with the same restrictions, so there is never a tie.
// ok is false when no entry matches.
//
// Both numbers are as the profile states them: a "fixed" per_byte_scaling
// is applied by Clocked (AtClock), which the simulator costs paths with.
func (p *Profile) Cost(kind datapath.Kind, plugin, mode string, placement datapath.Placement) (cycles, cyclesPerByte float64, ok bool) {
	if e := p.lookup(kind, plugin, mode, placement); e != nil {
		return e.Cycles, e.CyclesPerByte, true
	}
	return 0, 0, false
}

// Entry returns the entry Cost resolves to (its provenance and source
// say where the number comes from); ok is false when none matches.
func (p *Profile) Entry(kind datapath.Kind, plugin, mode string, placement datapath.Placement) (Entry, bool) {
	if e := p.lookup(kind, plugin, mode, placement); e != nil {
		return *e, true
	}
	return Entry{}, false
}

// lookup is the entry Cost resolves to, or nil.
func (p *Profile) lookup(kind datapath.Kind, plugin, mode string, placement datapath.Placement) *Entry {
	name := kind.String()
	best := -1
	var out *Entry
	for i := range p.Costs {
		e := &p.Costs[i]
		if e.Stage != name ||
			(e.Plugin != "" && e.Plugin != plugin) ||
			(e.Mode != "" && e.Mode != mode) ||
			(e.Placement != "" && datapath.Placement(e.Placement) != placement) {
			continue
		}
		if s := specificity(e); s > best {
			best, out = s, e
		}
	}
	return out
}

// specificity ranks an entry: plugin 4, mode 2, placement 1, which orders
// the six possible combinations as documented on Cost.
func specificity(e *Entry) int {
	s := 0
	if e.Plugin != "" {
		s += 4
	}
	if e.Mode != "" {
		s += 2
	}
	if e.Placement != "" {
		s++
	}
	return s
}

// CPUGHz is the frequency the cycles were measured at.
func (p *Profile) CPUGHz() float64 { return p.GHz }
