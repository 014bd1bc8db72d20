package calibration

import (
	"fmt"
	"strings"
)

// GROFrame is what one frame that GRO merges behind a super-packet's head
// costs the receiving core, in cycles at the profile's clock (a profile's
// [[gro_frame]] table; network.Config.GROFrameCycles, datapath.CostedPath's
// GROFrameExtra). Device "" is every merged frame's cost: the driver's
// per-frame work, GRO's callbacks and merge, and freeing the merged
// frame's head. A tunnel device (a name of models/cni/devices/devices.toml:
// vxlan, geneve, ...) is what GRO's parsing of that tunnel's headers adds
// to each frame of a path arriving in its outer header. Entries are used
// only with cluster.offloads; a profile without them leaves the built-in
// values (network.DefaultGROFrameCycles and the devices table).
type GROFrame struct {
	Device     string     `toml:"device,omitempty"`
	Cycles     float64    `toml:"cycles"`
	Provenance Provenance `toml:"provenance"`
	Source     string     `toml:"source"`
}

// groFrameKeys are a [[gro_frame]] table's keys, exactly as spelt in TOML.
var groFrameKeys = []string{"device", "cycles", "provenance", "source"}

// MaxGROFrameCycles bounds a [[gro_frame]] entry's cycles, as the scenario
// key calibration.gro_frame_cycles is bounded.
const MaxGROFrameCycles = 1e6

// GROFrameCycles returns the profile's per-frame GRO cost for device (""
// for every merged frame; a tunnel device for its headers' share) and
// whether the profile states one.
func (p *Profile) GROFrameCycles(device string) (float64, bool) {
	for _, g := range p.GROFrames {
		if g.Device == device {
			return g.Cycles, true
		}
	}
	return 0, false
}

// validateGROFrames adds a *FieldError per problem of the [[gro_frame]]
// tables. Device names are checked against the devices table where the
// profile is used (experiments/simulate), which this package does not see.
func (p *Profile) validateGROFrames(add func(table string, i int, key, format string, a ...any)) {
	seen := map[string]int{}
	for i, g := range p.GROFrames {
		if g.Device != strings.TrimSpace(g.Device) {
			add("gro_frame", i, "device", "has surrounding spaces: %q", g.Device)
		}
		if !inRange(g.Cycles, 0, MaxGROFrameCycles) {
			add("gro_frame", i, "cycles", "must be a number in 0..%g (cycles per frame GRO merges), got %v", float64(MaxGROFrameCycles), g.Cycles)
		}
		if !validProvenance(g.Provenance) {
			add("gro_frame", i, "provenance", "unknown provenance %q (valid: %s)", g.Provenance, provenanceList())
		}
		if strings.TrimSpace(g.Source) == "" {
			add("gro_frame", i, "source", "must say where the number comes from (measured: command, date, kernel, CPU; quoted: where; derived: the arithmetic; assumed: the reason)")
		}
		if j, dup := seen[g.Device]; dup {
			add("gro_frame", i, "device", "duplicate of gro_frame[%d]: same device %q", j, g.Device)
		} else {
			seen[g.Device] = i
		}
	}
}

// groDevice is a [[gro_frame]] entry's layering key.
func (g *GROFrame) groDevice() string { return g.Device }

// String is the entry as one line, for errors and listings.
func (g GROFrame) String() string {
	d := g.Device
	if d == "" {
		d = "every frame"
	}
	return fmt.Sprintf("gro_frame %s: %g cycles (%s)", d, g.Cycles, g.Provenance)
}
