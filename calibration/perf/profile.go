package perf

import (
	"fmt"
	"math"
	"strings"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/datapath"
)

// ProfileOptions label the profile made from a Result.
type ProfileOptions struct {
	Name        string // profile name; "" gives "perf"
	Description string
	// Plugin, Mode and Placement restrict every entry (see
	// calibration.Profile.Cost); empty means any.
	Plugin, Mode, Placement string
	// Crossings is how many times a packet crosses each stage on the
	// recorded path (from the CNI model). perf measures cycles per packet
	// for all crossings together; a profile holds cycles per crossing, so
	// each CPP is divided by its count. A missing kind counts 1.
	Crossings map[datapath.Kind]float64
}

// Profile turns the result into a calibration profile: one derived entry
// per attributed stage (unattributed cycles are not a stage and are left
// out), with the input's hash, the packets and the mapping in its source.
func (r *Result) Profile(o ProfileOptions) (*calibration.Profile, error) {
	name := o.Name
	if name == "" {
		name = "perf"
	}
	desc := o.Description
	if desc == "" {
		desc = fmt.Sprintf("derived from perf script (sha256 %s), %d packets, %s at %g GHz; unattributed %.1f%% of busy cycles",
			r.InputSHA256, r.Packets, r.Event, r.CPUGHz, 100*r.UnattributedShare)
	}
	p := &calibration.Profile{Name: name, Description: desc, GHz: r.CPUGHz}
	for _, s := range r.Stages {
		k, err := datapath.ParseKind(s.Stage)
		if err != nil {
			continue // "other"
		}
		n := 1.0
		if c, ok := o.Crossings[k]; ok {
			if !(c > 0) || math.IsInf(c, 0) {
				return nil, fmt.Errorf("crossings of %s must be a finite number > 0, got %v", k, c)
			}
			n = c
		}
		var src strings.Builder
		fmt.Fprintf(&src, "perf III.1: %.6g busy cycles / %d packets x share %.6f = %.6g CPP",
			r.TotalCycles, r.Packets, s.Share, s.CPP)
		if n != 1 {
			fmt.Fprintf(&src, " / %g crossings", n)
		}
		fmt.Fprintf(&src, "; input sha256 %s; event %s at %g GHz; mapping %s", r.InputSHA256, r.Event, r.CPUGHz, r.Mapping)
		p.Costs = append(p.Costs, calibration.Entry{
			Stage: s.Stage, Cycles: s.CPP / n,
			Plugin: o.Plugin, Mode: o.Mode, Placement: o.Placement,
			Provenance: calibration.Derived, Source: src.String(),
		})
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}
