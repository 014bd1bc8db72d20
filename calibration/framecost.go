package calibration

import (
	"fmt"
	"strings"
)

// FrameCost is a per-frame cost of the offloads, in cycles at the
// profile's clock, used only with cluster.offloads:
//   - a [[gro_frame]] table: what one frame GRO merges behind a
//     super-packet's head costs the receiving core: the driver's
//     per-frame work, GRO's callbacks and merge, and freeing the merged
//     frame's head (network.Config.GROFrameCycles,
//     datapath.CostedPath.GROFrameExtra);
//   - a [[gso_segment]] table: what one segment software GSO cuts from a
//     super-packet costs the sending core (network.Config.GSOSegmentCycles,
//     datapath.CostedPath.GSOSegmentExtra).
//
// Device "" is every frame's or segment's cost. A tunnel device (a name
// of models/cni/devices/devices.toml: vxlan, geneve, ...) is what that
// tunnel's headers add to each, for a path arriving in (GRO) or leaving
// in (GSO) its outer header. A profile without entries leaves the
// built-in values (network.DefaultGROFrameCycles,
// network.DefaultGSOSegmentCycles and the devices table).
type FrameCost struct {
	Device     string     `toml:"device,omitempty"`
	Cycles     float64    `toml:"cycles"`
	Provenance Provenance `toml:"provenance"`
	Source     string     `toml:"source"`
}

// frameCostKeys are a [[gro_frame]] or [[gso_segment]] table's keys,
// exactly as spelt in TOML.
var frameCostKeys = []string{"device", "cycles", "provenance", "source"}

// MaxFrameCycles bounds a frame cost's cycles, as the scenario keys
// calibration.gro_frame_cycles and gso_segment_cycles are bounded.
const MaxFrameCycles = 1e6

// GROFrameCycles returns the profile's per-frame GRO cost for device (""
// for every merged frame; a tunnel device for its headers' share) and
// whether the profile states one.
func (p *Profile) GROFrameCycles(device string) (float64, bool) {
	g, ok := p.FrameCost(GROFrameStage, device)
	return g.Cycles, ok
}

// GSOSegmentCycles returns the profile's per-segment cost of software GSO
// for device ("" for every segment; a tunnel device for its
// encapsulation's share) and whether the profile states one.
func (p *Profile) GSOSegmentCycles(device string) (float64, bool) {
	g, ok := p.FrameCost(GSOSegmentStage, device)
	return g.Cycles, ok
}

// FrameCost returns the profile's entry for device ("" for every frame or
// segment) of GROFrameStage's table ([[gro_frame]]) or GSOSegmentStage's
// ([[gso_segment]]), and whether it states one.
func (p *Profile) FrameCost(stage, device string) (FrameCost, bool) {
	list := p.GROFrames
	if stage == GSOSegmentStage {
		list = p.GSOSegments
	}
	for _, g := range list {
		if g.Device == device {
			return g, true
		}
	}
	return FrameCost{}, false
}

// validateFrameCosts adds a *FieldError per problem of the table's
// entries. Device names are checked against the devices table where the
// profile is used (experiments/simulate), which this package does not see.
func validateFrameCosts(table string, list []FrameCost, add func(table string, i int, key, format string, a ...any)) {
	seen := map[string]int{}
	for i, g := range list {
		if g.Device != strings.TrimSpace(g.Device) {
			add(table, i, "device", "has surrounding spaces: %q", g.Device)
		}
		if !inRange(g.Cycles, 0, MaxFrameCycles) {
			add(table, i, "cycles", "must be a number in 0..%g (cycles per frame), got %v", float64(MaxFrameCycles), g.Cycles)
		}
		if !validProvenance(g.Provenance) {
			add(table, i, "provenance", "unknown provenance %q (valid: %s)", g.Provenance, provenanceList())
		}
		if strings.TrimSpace(g.Source) == "" {
			add(table, i, "source", "must say where the number comes from (measured: command, date, kernel, CPU; quoted: where; derived: the arithmetic; assumed: the reason)")
		}
		if j, dup := seen[g.Device]; dup {
			add(table, i, "device", "duplicate of %s[%d]: same device %q", table, j, g.Device)
		} else {
			seen[g.Device] = i
		}
	}
}

// device is a frame cost's layering key.
func (g *FrameCost) device() string { return g.Device }

// String is the entry as one line, for errors and listings.
func (g FrameCost) String() string {
	d := g.Device
	if d == "" {
		d = "every frame"
	}
	return fmt.Sprintf("%s: %g cycles (%s)", d, g.Cycles, g.Provenance)
}
