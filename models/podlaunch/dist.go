package podlaunch

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// StageSpec declares a stage's duration distribution. Which parameters are
// required depends on Dist:
//
//	deterministic  mean
//	exponential    mean
//	lognormal      mean, cv (coefficient of variation)
//	gamma          mean, cv
//	uniform        min, max
type StageSpec struct {
	Dist string         `toml:"dist"`
	Mean *DurationParam `toml:"mean"`
	CV   *FloatParam    `toml:"cv"`
	Min  *DurationParam `toml:"min"`
	Max  *DurationParam `toml:"max"`
}

var (
	dists     = []string{"deterministic", "exponential", "lognormal", "gamma", "uniform"}
	stageKeys = []string{"dist", "mean", "cv", "min", "max"}
)

// fieldError is a validation error at a key path, located by the decoder.
type fieldError struct {
	path []string
	msg  string
}

func (e *fieldError) Error() string { return fmt.Sprintf("%s: %s", joinPath(e.path), e.msg) }

func joinPath(p []string) string {
	s := ""
	for i, k := range p {
		if i > 0 {
			s += "."
		}
		s += k
	}
	return s
}

// validate checks s at path (for errors) and returns the errors found.
func (s *StageSpec) validate(path []string) []error {
	var errs []error
	bad := func(key, format string, a ...any) {
		errs = append(errs, &fieldError{append(append([]string(nil), path...), key), fmt.Sprintf(format, a...)})
	}
	type slot struct {
		key     string
		present bool
		prov    *Provenance
	}
	slots := []slot{{"mean", s.Mean != nil, nil}, {"cv", s.CV != nil, nil}, {"min", s.Min != nil, nil}, {"max", s.Max != nil, nil}}
	if s.Mean != nil {
		slots[0].prov = &s.Mean.Provenance
	}
	if s.CV != nil {
		slots[1].prov = &s.CV.Provenance
	}
	if s.Min != nil {
		slots[2].prov = &s.Min.Provenance
	}
	if s.Max != nil {
		slots[3].prov = &s.Max.Provenance
	}
	var want []string
	switch s.Dist {
	case "deterministic", "exponential":
		want = []string{"mean"}
	case "lognormal", "gamma":
		want = []string{"mean", "cv"}
	case "uniform":
		want = []string{"min", "max"}
	default:
		bad("dist", "%q is not one of %s", s.Dist, list(dists))
		return errs
	}
	for _, sl := range slots {
		need := contains(want, sl.key)
		switch {
		case need && !sl.present:
			bad(sl.key, "missing: dist %q needs %s", s.Dist, list(want))
		case !need && sl.present:
			bad(sl.key, "not used by dist %q (it takes %s)", s.Dist, list(want))
		case sl.present:
			if err := sl.prov.check(); err != nil {
				bad(sl.key, "%v", err)
			}
		}
	}
	if len(errs) > 0 {
		return errs
	}
	switch s.Dist {
	case "deterministic":
		if s.Mean.Value.Duration < 0 || s.Mean.Value.Duration > maxStage {
			bad("mean", "must be in [0, %v], got %v", maxStage, s.Mean.Value.Duration)
		}
	case "exponential", "lognormal", "gamma":
		if s.Mean.Value.Duration <= 0 || s.Mean.Value.Duration > maxStage {
			bad("mean", "must be in (0, %v] for dist %q, got %v", maxStage, s.Dist, s.Mean.Value.Duration)
		}
		if s.CV != nil && !(s.CV.Value > 0 && s.CV.Value <= 10) {
			bad("cv", "must be in (0, 10], got %v", s.CV.Value)
		}
	case "uniform":
		if s.Min.Value.Duration < 0 || s.Max.Value.Duration < s.Min.Value.Duration || s.Max.Value.Duration > maxStage {
			bad("min", "need 0 <= min <= max <= %v, got min %v max %v", maxStage, s.Min.Value.Duration, s.Max.Value.Duration)
		}
	}
	return errs
}

// maxStage bounds a stage's declared mean or maximum: a longer stage is a
// unit mistake. Draws are clamped to maxDraw so that heavy tails cannot
// overflow simulated time.
const (
	maxStage = time.Hour
	maxDraw  = 24 * 3600.0 // seconds
)

// sampler draws durations in seconds.
type sampler interface{ Rand() float64 }

type constant float64

func (c constant) Rand() float64 { return float64(c) }

// MeanSeconds returns the distribution's mean in seconds (s must be valid).
func (s *StageSpec) MeanSeconds() float64 {
	if s.Dist == "uniform" {
		return (s.Min.Value.Seconds() + s.Max.Value.Seconds()) / 2
	}
	return s.Mean.Value.Seconds()
}

// sampler builds the distribution drawing from src (never nil: a nil
// distuv Src would draw from Go's unseeded global source).
func (s *StageSpec) sampler(src rand.Source) sampler {
	if src == nil {
		panic("podlaunch: nil random source")
	}
	switch s.Dist {
	case "exponential":
		return distuv.Exponential{Rate: 1 / s.Mean.Value.Seconds(), Src: src}
	case "lognormal":
		// mean m and cv c: sigma^2 = ln(1+c^2), mu = ln m - sigma^2/2.
		sig2 := math.Log1p(s.CV.Value * s.CV.Value)
		return distuv.LogNormal{Mu: math.Log(s.Mean.Value.Seconds()) - sig2/2, Sigma: math.Sqrt(sig2), Src: src}
	case "gamma":
		// shape k = 1/c^2, rate = k/m gives mean m and cv c.
		k := 1 / (s.CV.Value * s.CV.Value)
		return distuv.Gamma{Alpha: k, Beta: k / s.Mean.Value.Seconds(), Src: src}
	case "uniform":
		return distuv.Uniform{Min: s.Min.Value.Seconds(), Max: s.Max.Value.Seconds(), Src: src}
	default: // deterministic
		return constant(s.Mean.Value.Seconds())
	}
}
