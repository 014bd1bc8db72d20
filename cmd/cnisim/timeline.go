package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/workload"
	"github.com/cnisim/cnisim/plots"
	"github.com/cnisim/cnisim/sim"
	"gonum.org/v1/plot/vg"
)

// timelineOut collects the replications' timelines (scenario key
// timeline) as they stream in: the rows of timeline.csv, and per sweep
// point the bin-by-bin sum over its replications for timeline.png.
type timelineOut struct {
	plan   *scenario.Plan
	csv    *results.RepTable
	points []int // in unit order
	sums   map[int]*pointTimeline
}

// pointTimeline is one point's replications summed bin by bin (a series
// only where every replication has it, over the same bins).
type pointTimeline struct {
	t      []float64
	sum    map[string][]float64
	n      map[string][]float64 // of a series with gaps, the replications with a value in each bin
	reps   int
	ragged bool // replications with other bins (http_download): not averaged
}

func newTimelineOut(plan *scenario.Plan) *timelineOut {
	return &timelineOut{plan: plan, csv: results.NewTimeline(plan.Axes), sums: map[int]*pointTimeline{}}
}

// add takes a unit's timeline, if it has one.
func (o *timelineOut) add(u run.UnitResult) {
	ss := u.Sample.Series
	if len(ss) == 0 {
		return
	}
	o.csv.Add(o.plan.Point(u.Point).Params, u.Rep, u.Seed, ss)
	pt, ok := o.sums[u.Point]
	if !ok {
		pt = &pointTimeline{t: ss["t_s"], sum: map[string][]float64{}, n: map[string][]float64{}}
		for name, vs := range ss {
			pt.sum[name] = make([]float64, len(vs))
			if slices.Contains(results.TimelineGaps, name) {
				pt.n[name] = make([]float64, len(vs))
			}
		}
		o.sums[u.Point] = pt
		o.points = append(o.points, u.Point)
	}
	if !slices.Equal(pt.t, ss["t_s"]) {
		pt.ragged = true
		return
	}
	for name, acc := range pt.sum {
		vs, ok := ss[name]
		if !ok || len(vs) != len(acc) {
			delete(pt.sum, name)
			continue
		}
		n := pt.n[name]
		for i, v := range vs {
			if n == nil {
				acc[i] += v
			} else if v >= 0 { // a gap adds nothing
				acc[i] += v
				n[i]++
			}
		}
	}
	pt.reps++
}

// files are what the timelines add to the output set: timeline.csv, and
// timeline.png when the points can be drawn (a note on stderr if not).
func (o *timelineOut) files(stderr io.Writer) []results.File {
	if o.csv.Rows() == 0 {
		return nil
	}
	return withFigure(stderr, results.File{Name: results.TimelineFile, Data: o.csv.Bytes()}, timelinePNG, o.figure)
}

// timelinePNG is the timeline's figure in the output set.
const timelinePNG = "timeline.png"

// timelinePanels are the quantities drawn, from the series of
// results.TimelineColumns, with their scale to the axis' unit.
var timelinePanels = []struct {
	series, label string
	scale         float64
	step          bool
}{
	{"goodput_mbps", "goodput (Gbit/s)", 1e-3, false},
	{"cwnd_segments", "mean cwnd (segments)", 1, true},
	{"drops", "drops per bin", 1, false},
	{"fabric_queue_bytes", "switch buffers (MB)", 1e-6, false},
	{"cores_busy", "cores busy, all nodes", 1, false},
	{"fct_us_p50", "median FCT by start (ms)", 1e-3, false},
}

// figure draws one panel per quantity every point has (the switch buffers
// only if some were ever used), one line per point: the mean over its
// replications (of a series with gaps, over those with a value in the bin;
// a bin none has is left out).
func (o *timelineOut) figure() ([]byte, error) {
	if err := linesFit(len(o.points), results.TimelineFile); err != nil {
		return nil, err
	}
	reps := 0
	ts := plots.TimeSeries{XLabel: "simulated time (s)", Shared: true}
	for _, pn := range timelinePanels {
		panel := plots.Panel{YLabel: pn.label, Step: pn.step}
		used := false
		for _, p := range o.points {
			pt := o.sums[p]
			if pt.ragged {
				return nil, fmt.Errorf("the replications of %s have different bins", pointName(o.plan, p))
			}
			acc, ok := pt.sum[pn.series]
			if !ok {
				continue
			}
			var xs, ys []float64
			for i, v := range acc {
				k := float64(pt.reps)
				if n := pt.n[pn.series]; n != nil { // the mean of the replications with a value
					if k = n[i]; k == 0 {
						continue
					}
				}
				xs, ys = append(xs, pt.t[i]), append(ys, v/k*pn.scale)
				used = used || ys[len(ys)-1] != 0
			}
			reps = max(reps, pt.reps)
			if len(xs) > 0 {
				panel.Series = append(panel.Series, plots.LineSeries{Name: pointName(o.plan, p), X: xs, Y: ys})
			}
		}
		if len(panel.Series) == len(o.points) && (used || pn.series != "fabric_queue_bytes") {
			ts.Panels = append(ts.Panels, panel)
		}
	}
	ts.Title = fmt.Sprintf("%s: timeline, mean of %d replication(s)", o.plan.Base.Name, reps)
	marks := o.marks()
	for i := range ts.Panels {
		ts.Panels[i].Marks = marks
	}
	f, err := ts.Figure()
	if err != nil {
		return nil, err
	}
	f.Height = max(f.Height, vg.Length(len(ts.Panels))*45*vg.Millimeter) // each panel legible
	return f.Encode("png")
}

// marks are the failure's (failureMarks), the traffic matrix's changes
// (matrixMarks) and the queries' window (queryMarks).
func (o *timelineOut) marks() []plots.Mark {
	return slices.Concat(o.failureMarks(), o.matrixMarks(), o.queryMarks())
}

// queryMarks are when the queries start and stop (workload.query_from,
// query_until) within the run, each when one time holds for every point.
func (o *timelineOut) queryMarks() []plots.Mark {
	w := o.plan.Base.Workload
	if !(w.QueryRate > 0) {
		return nil
	}
	var marks []plots.Mark
	for _, m := range []struct {
		key   string
		at    time.Duration
		label string
	}{{"workload.query_from", w.QueryFrom, "queries start"}, {"workload.query_until", w.QueryUntil, "queries stop"}} {
		swept := slices.ContainsFunc(o.plan.Axes, func(ax scenario.Axis) bool { return ax.Key == m.key || ax.Key == "workload.query_rate" })
		if m.at > 0 && m.at < o.plan.Base.Duration && !swept {
			marks = append(marks, plots.Mark{X: m.at.Seconds(), Label: m.label})
		}
	}
	return marks
}

// matrixMarks are when a traffic matrix's windows change the offered
// traffic within the run, when every point has the one matrix and it
// changes at most maxFlapMarks times (an unreadable file, which the run
// would have refused, marks nothing).
func (o *timelineOut) matrixMarks() []plots.Mark {
	b := o.plan.Base
	if b.Workload.Pattern != workload.PatternMatrix {
		return nil
	}
	for _, ax := range o.plan.Axes {
		if ax.Key == "workload.matrix" || ax.Key == "workload.pattern" {
			return nil
		}
	}
	m, err := workload.LoadMatrix(b.Workload.Matrix)
	if err != nil {
		return nil
	}
	end := sim.FromDuration(b.Duration)
	var at []sim.Time
	for _, t := range m.Changes() {
		if t < end {
			at = append(at, t)
		}
	}
	if len(at) > maxFlapMarks {
		return nil
	}
	var marks []plots.Mark
	for _, t := range at {
		marks = append(marks, plots.Mark{X: t.Seconds(), Label: "traffic changes"})
	}
	return marks
}

// failureMarks are when the scenario's links fail (fabric.fail_at) and
// come back (fabric.recover_at), each when one time holds for every
// point; a flapping link's (fabric.flap_every) every cycle in the run, up
// to maxFlapMarks of them.
func (o *timelineOut) failureMarks() []plots.Mark {
	b := o.plan.Base
	f := b.Fabric
	if f.FailedSpines == 0 && f.FailedLinks == "" {
		return nil
	}
	failSwept, recoverSwept, flapSwept := false, false, false
	for _, ax := range o.plan.Axes {
		switch {
		case strings.HasPrefix(ax.Key, "fabric.fail"):
			failSwept = true
		case ax.Key == "fabric.recover_at":
			recoverSwept = true
		case ax.Key == "fabric.flap_every":
			flapSwept = true
		}
	}
	cycles := 1
	if f.FlapEvery > 0 && !flapSwept && b.Duration > f.FailAt {
		cycles = min(maxFlapMarks, int((b.Duration-f.FailAt+f.FlapEvery-1)/f.FlapEvery))
	}
	var marks []plots.Mark
	for k := range cycles {
		shift := time.Duration(k) * f.FlapEvery
		if f.FailAt > 0 && !failSwept {
			marks = append(marks, plots.Mark{X: (f.FailAt + shift).Seconds(), Label: "links fail"})
		}
		if r := f.RecoverAt + shift; f.RecoverAt > 0 && !failSwept && !recoverSwept && (k == 0 || r < b.Duration) {
			marks = append(marks, plots.Mark{X: r.Seconds(), Label: "links back"})
		}
	}
	return marks
}

// maxFlapMarks bounds the cycles of a flapping link a timeline marks, and
// a traffic matrix's changes.
const maxFlapMarks = 10

// pointName labels point p's line in a figure: its swept values, or the
// scenario's name.
func pointName(plan *scenario.Plan, p int) string {
	ps := plan.Point(p).Params
	if len(ps) == 0 {
		return plan.Base.Name
	}
	return strings.Trim(scenario.FormatParams(ps), "{}")
}
