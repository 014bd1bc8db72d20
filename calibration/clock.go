package calibration

import (
	"fmt"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
)

// Scaling says how a per-byte cost (cycles_per_byte) moves when the
// simulated cluster's clock (cluster.cpu_ghz) differs from the profile's
// cpu_ghz. Per-crossing cycles always scale with the clock: they are
// instructions (a stage's code path), so a core twice as fast runs them in
// half the time.
//
// Per-byte work is different. Copies to and from user space and checksums
// over buffers larger than the caches stream through memory, so their time
// per byte is bound by memory bandwidth, not by the core clock: the same
// copy on a faster core takes the same nanoseconds and more cycles.
// Encryption and checksums of cache-resident data are compute and do scale
// with the clock. A profile states which it means:
//
//   - ScaleClock ("clock", the default, as cnisim has always done):
//     cycles_per_byte are cycles; on a cluster at G GHz a byte takes
//     cycles_per_byte / G ns.
//   - ScaleFixed ("fixed"): cycles_per_byte is a time per byte written in
//     cycles at the profile's own clock, cycles_per_byte / cpu_ghz ns,
//     which no cluster.cpu_ghz changes (a memory-bound copy measured on a
//     machine with another clock).
type Scaling string

const (
	ScaleClock Scaling = "clock"
	ScaleFixed Scaling = "fixed"
)

// Scalings lists the valid per_byte_scaling values.
var Scalings = []Scaling{ScaleClock, ScaleFixed}

func scalingList() string {
	s := make([]string, len(Scalings))
	for i, v := range Scalings {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// checkScaling accepts "" (inherit: the entry takes the profile's, the
// profile defaults to clock) and the Scalings.
func checkScaling(s Scaling) error {
	if s == "" {
		return nil
	}
	for _, v := range Scalings {
		if s == v {
			return nil
		}
	}
	return fmt.Errorf("unknown value %q (valid: %s; empty or absent: %s)", s, scalingList(), ScaleClock)
}

// ByteScaling is the profile-level per_byte_scaling in effect: ScaleClock
// when the profile states none.
func (p *Profile) ByteScaling() Scaling {
	if p.PerByteScaling == "" {
		return ScaleClock
	}
	return p.PerByteScaling
}

// EntryScaling is the per_byte_scaling of entry e of p: its own, else the
// profile's, else ScaleClock.
func (p *Profile) EntryScaling(e *Entry) Scaling {
	if e.PerByteScaling != "" {
		return e.PerByteScaling
	}
	return p.ByteScaling()
}

// Clocked is a profile priced for a cluster whose cores run at GHz: the
// datapath.CostSource the simulator's paths are costed from. It is the one
// place the clock model is applied. The network model converts every
// cycle count to time by dividing by the cluster's GHz, so:
//
//   - per-crossing cycles and "clock" per-byte cycles pass unchanged (time
//     = cycles / cluster GHz: a faster clock is faster);
//   - a "fixed" per-byte cost is returned as cycles_per_byte x GHz /
//     profile cpu_ghz, which the network's division turns back into
//     cycles_per_byte / profile cpu_ghz ns per byte whatever the cluster's
//     clock.
//
// Policy-rule prices (RuleCycles, promoted from Profile) are per packet
// and scale with the clock.
type Clocked struct {
	*Profile
	GHz float64
}

var (
	_ datapath.CostSource      = Clocked{}
	_ datapath.FrameCostSource = Clocked{}
)

// AtClock returns p priced for a cluster at ghz (see Clocked).
func (p *Profile) AtClock(ghz float64) Clocked { return Clocked{Profile: p, GHz: ghz} }

// Cost is Profile.Cost with the per-byte cost of a "fixed" entry converted
// to cycles at the cluster's clock.
func (c Clocked) Cost(kind datapath.Kind, plugin, mode string, placement datapath.Placement) (cycles, cyclesPerByte float64, ok bool) {
	e := c.lookup(kind, plugin, mode, placement)
	if e == nil {
		return 0, 0, false
	}
	return e.Cycles, c.perByteAt(e), true
}

// perByteAt is e's cycles_per_byte in cycles of a core at c.GHz.
func (c Clocked) perByteAt(e *Entry) float64 {
	if c.EntryScaling(e) != ScaleFixed || e.CyclesPerByte == 0 || c.GHz == c.Profile.GHz {
		return e.CyclesPerByte
	}
	return e.CyclesPerByte * c.GHz / c.Profile.GHz
}

// CPUGHz is the cluster's clock: the costs Clocked returns are cycles of
// a core at that frequency.
func (c Clocked) CPUGHz() float64 { return c.GHz }

// ScalingSummary says in a few words how the profile's per-byte costs
// scale, for listings: the profile's scaling, and how many entries with a
// per-byte cost scale otherwise ("fixed; 1 entry clock").
func (p *Profile) ScalingSummary() string {
	def := p.ByteScaling()
	n := map[Scaling]int{}
	for i := range p.Costs {
		e := &p.Costs[i]
		if s := p.EntryScaling(e); e.CyclesPerByte != 0 && s != def {
			n[s]++
		}
	}
	out := string(def)
	for _, s := range Scalings {
		switch n[s] {
		case 0:
		case 1:
			out += fmt.Sprintf("; 1 entry %s", s)
		default:
			out += fmt.Sprintf("; %d entries %s", n[s], s)
		}
	}
	return out
}
