package fit

import (
	"fmt"
	"math"

	"github.com/cnisim/cnisim/calibration"
)

// Profile turns the fitted costs into a calibration profile at ghz (the
// frequency the measurements were taken at). source names the input, for
// example "measurements.csv (sha256 ...)"; every entry is derived.
func (r *Result) Profile(name string, ghz float64, source string) (*calibration.Profile, error) {
	if !(ghz > 0) || math.IsInf(ghz, 0) {
		return nil, fmt.Errorf("fit profile: cpu GHz must be a finite number > 0, got %v", ghz)
	}
	p := &calibration.Profile{
		Name:        name,
		Description: fmt.Sprintf("fitted by NNLS from %s: %d equations, sigma %.4g, %d degrees of freedom", source, r.Equations, r.Sigma, r.DOF),
		GHz:         ghz,
	}
	for _, c := range r.Costs {
		src := fmt.Sprintf("fit (NNLS, cnisim calibrate fit) of %s: %.6g +- %.3g cycles (1 s.e.)", source, c.Cycles, c.StdErr)
		if c.AtBound {
			src = fmt.Sprintf("fit (NNLS) of %s: at the bound 0 (the data prefer a negative cost)", source)
		}
		e := calibration.Entry{Stage: c.Stage, Cycles: c.Cycles, Provenance: calibration.Derived}
		if b := c.PerByte; b != nil {
			e.CyclesPerByte = b.Cycles
			if b.AtBound {
				src += "; per byte at the bound 0"
			} else {
				src += fmt.Sprintf("; %.6g +- %.3g cycles per byte", b.Cycles, b.StdErr)
			}
		}
		e.Source = fmt.Sprintf("%s, sigma %.4g, dof %d; crossings per data packet and per ACK from the cni model (datapath.Path.NodeCrossings)", src, r.Sigma, r.DOF)
		p.Costs = append(p.Costs, e)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// Source describes a measurements file for Profile's source argument.
func (m *Measurements) Source() string {
	return fmt.Sprintf("%s (sha256 %s, %d rows)", m.File, m.SHA256, len(m.Rows))
}
