package testbed

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Point is one configuration reduced to what the additive model needs:
// per stage, the cycles per data packet perf measured (after the
// calibration's spread and fold rules) and the units per data packet the
// model charges them on (crossings, or IP bytes for per-byte stages).
type Point struct {
	Name   string  `json:"name"`
	Engine string  `json:"engine"` // policy rule engine (none, iptables-legacy, nftables)
	Rules  int     `json:"rules"`
	CPP    float64 `json:"cpp"` // measured busy cycles per data packet
	// CPUs is 2 for a configuration measured on two CPUs (-2cpu): it is
	// predicted from the one-CPU points and prices nothing (oneCPU).
	CPUs   int            `json:"cpus,omitempty"`
	Stages map[string]Use `json:"stages"`
	// Calls is the per-call (syscall) and per-wake-up (sched) split of
	// the stream's cycles that its TCP_RR run gave (splitCalls); nil
	// without one.
	Calls map[string]CallSplit `json:"calls,omitempty"`
}

// Use is a stage's measured cycles and model units per data packet.
type Use struct {
	Cycles float64 `json:"cycles"` // per data packet
	Units  float64 `json:"units"`  // crossings (or IP bytes) per data packet
	// PerByte says the units are IP bytes (the stage's cost is per byte).
	PerByte bool `json:"per_byte,omitempty"`
	// Crossings per data packet (data + ACKs per data packet x ACK
	// crossings), recorded for encrypt only: its per-packet and per-byte
	// parts are fitted together over two packet sizes (FitEncrypt).
	Crossings float64 `json:"crossings,omitempty"`
}

// NetfilterStage is fitted per rule engine (below); every other stage is
// pooled.
const netfilterStage = "netfilter"

// tcpStage takes the per-packet part of the syscall and sched cycles
// (splitCalls).
const tcpStage = "tcp"

// Prediction is one held-out configuration's cycles per data packet.
type Prediction struct {
	Name      string   `json:"name"`
	Measured  float64  `json:"measured_cpp"`
	Predicted float64  `json:"predicted_cpp"` // NaN when a stage has no cost elsewhere
	ErrPct    float64  `json:"error_pct"`     // 100 x (predicted - measured) / measured
	Missing   []string `json:"missing,omitempty"`
	// Stages is the prediction stage by stage, in name order: where an
	// error comes from. Empty when a stage has no cost elsewhere.
	Stages []StagePrediction `json:"stages,omitempty"`
}

// StagePrediction is one stage's measured and predicted cycles per data
// packet in a leave-one-out prediction.
type StagePrediction struct {
	Stage     string  `json:"stage"`
	Measured  float64 `json:"measured_cpp"`
	Predicted float64 `json:"predicted_cpp"`
}

// Predictable says whether every stage had a cost from the others.
func (p Prediction) Predictable() bool { return len(p.Missing) == 0 }

// StageCost returns the cost per unit of stage k for a configuration with
// engine and rules, from the points in from (the held-out one excluded by
// the caller). The rule, stated once:
//   - any stage but netfilter: pooled over the points that cross it,
//     sum of their cycles per data packet / sum of their units per data
//     packet (every configuration weighs one data packet);
//   - netfilter: its per-crossing cost is a + b x rules, least squares over
//     the points with the same rule engine (a straight line needs two
//     distinct rule counts; with one, their mean; with none, no cost),
//     because what the hook does depends on what is loaded, which the
//     graph does not describe.
//
// ok is false when no point gives the stage a cost.
func StageCost(from []Point, stage, engine string, rules int) (cost float64, ok bool) {
	if stage != netfilterStage {
		c, u := 0.0, 0.0
		for _, p := range from {
			if s, has := p.Stages[stage]; has && s.Units > 0 {
				c += s.Cycles
				u += s.Units
			}
		}
		if u == 0 {
			return 0, false
		}
		return c / u, true
	}
	var xs, ys []float64
	for _, p := range from {
		if s, has := p.Stages[stage]; has && s.Units > 0 && p.Engine == engine {
			xs = append(xs, float64(p.Rules))
			ys = append(ys, s.Cycles/s.Units)
		}
	}
	if len(xs) == 0 {
		return 0, false
	}
	a, b := lineFit(xs, ys)
	return a + b*float64(rules), true
}

// lineFit is the least-squares line y = a + b x; with one distinct x it is
// the mean (b = 0).
func lineFit(xs, ys []float64) (a, b float64) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	den := n*sxx - sx*sx
	if den <= 1e-9*n*sxx || den == 0 {
		return sy / n, 0
	}
	b = (n*sxy - sx*sy) / den
	return (sy - b*sx) / n, b
}

// Predict returns the cycles per data packet of p from the costs of the
// points in from: sum over p's stages of cost x units.
func Predict(from []Point, p Point) Prediction {
	pr := Prediction{Name: p.Name, Measured: p.CPP}
	for _, k := range sortedStages(p) {
		s := p.Stages[k]
		if s.Units == 0 {
			continue
		}
		c, ok := StageCost(from, k, p.Engine, p.Rules)
		if !ok {
			pr.Missing = append(pr.Missing, k)
			continue
		}
		pr.Predicted += c * s.Units
		pr.Stages = append(pr.Stages, StagePrediction{Stage: k, Measured: s.Cycles, Predicted: c * s.Units})
	}
	if len(pr.Missing) > 0 {
		pr.Predicted, pr.ErrPct, pr.Stages = math.NaN(), math.NaN(), nil
		return pr
	}
	pr.ErrPct = 100 * (pr.Predicted - p.CPP) / p.CPP
	return pr
}

func sortedStages(p Point) []string {
	ks := make([]string, 0, len(p.Stages))
	for k := range p.Stages {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// LeaveOneOut predicts every point from all the other one-CPU points.
func LeaveOneOut(points []Point) []Prediction {
	out := make([]Prediction, len(points))
	for i, p := range points {
		out[i] = Predict(oneCPU(slices.Concat(points[:i:i], points[i+1:])), p)
	}
	return out
}

// oneCPU keeps the points measured on one CPU. A two-CPU path pays what
// one CPU does not (the copy from another CPU's cache, 13x the ACKs and
// reads of a receiver that keeps up, the VM's cross-vCPU lock waits), so
// its stage costs are no one-CPU stage's: the two-CPU points are predicted
// from the one-CPU ones, which tests that transfer, and price nothing.
func oneCPU(points []Point) []Point {
	out := make([]Point, 0, len(points))
	for _, p := range points {
		if p.CPUs <= 1 {
			out = append(out, p)
		}
	}
	return out
}

// Summary is the median and maximum absolute % error of the predictable
// rows, and how many there were.
type Summary struct {
	N         int     `json:"n"`
	MedianAbs float64 `json:"median_abs_error_pct"`
	MaxAbs    float64 `json:"max_abs_error_pct"`
}

// Summarize returns the Summary of predictions.
func Summarize(ps []Prediction) Summary {
	var errs []float64
	for _, p := range ps {
		if p.Predictable() {
			errs = append(errs, math.Abs(p.ErrPct))
		}
	}
	s := Summary{N: len(errs)}
	if len(errs) == 0 {
		return s
	}
	sort.Float64s(errs)
	s.MaxAbs = errs[len(errs)-1]
	if n := len(errs); n%2 == 1 {
		s.MedianAbs = errs[n/2]
	} else {
		s.MedianAbs = (errs[n/2-1] + errs[n/2]) / 2
	}
	return s
}

// missingText says why a row has no prediction.
func missingText(p Prediction) string {
	return "no cost for " + strings.Join(p.Missing, ", ") + " from the other configurations"
}

func pct(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%%", v)
}
