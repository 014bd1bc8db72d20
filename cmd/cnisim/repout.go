package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/plots"
)

// repOut collects what replications write beside the aggregated results,
// as they come in unit order: the timeline (scenario key timeline), the
// flow log (flow_log) and the port log (port_log).
type repOut struct {
	timeline *timelineOut
	flows    *results.RepTable
	ports    *results.RepTable
	plan     *scenario.Plan
	// each point's finished flows' FCTs (µs), every replication's, for
	// the figure; points in unit order
	fcts   map[int][]float64
	points []int
	// the packet captures of the replication [trace] names, per point
	// (the scenario's trace.pcap), and the packets they left out
	pcaps   []results.File
	skipped uint64
}

func newRepOut(plan *scenario.Plan) *repOut {
	return &repOut{timeline: newTimelineOut(plan), flows: results.NewFlows(plan.Axes), ports: results.NewPorts(plan.Axes), plan: plan,
		fcts: map[int][]float64{}}
}

// add takes a unit's timeline, flow log and port log, if it has them.
func (o *repOut) add(u run.UnitResult) {
	o.timeline.add(u)
	o.addPcap(u)
	if pl := u.Sample.Ports; pl != nil {
		o.ports.AddLabelled(o.plan.Point(u.Point).Params, u.Rep, u.Seed, [][]string{pl.Names, pl.Tiers}, pl.Columns)
	}
	if fl := u.Sample.Flows; fl != nil {
		o.flows.Add(o.plan.Point(u.Point).Params, u.Rep, u.Seed, fl)
		if _, ok := o.fcts[u.Point]; !ok {
			o.points = append(o.points, u.Point)
		}
		query := fl["query"]
		for i, v := range fl["fct_us"] {
			if v >= 0 && (query == nil || query[i] < 0) { // the traffic's flows, not queries' responses
				o.fcts[u.Point] = append(o.fcts[u.Point], v)
			}
		}
	}
}

// wantsFlows reports whether the scenario asks for a flow log (at some
// sweep point): flows.csv is written then, if only its header.
func (o *repOut) wantsFlows() bool {
	return o.plan.Base.FlowLog || o.flows.Rows() > 0 || o.swept("flow_log")
}

// wantsPorts is wantsFlows for the port log and ports.csv.
func (o *repOut) wantsPorts() bool {
	return o.plan.Base.PortLog || o.ports.Rows() > 0 || o.swept("port_log")
}

// swept reports whether the plan sweeps key.
func (o *repOut) swept(key string) bool {
	return slices.ContainsFunc(o.plan.Axes, func(ax scenario.Axis) bool { return ax.Key == key })
}

// files are what the replications add to the output set.
func (o *repOut) files(stderr io.Writer) []results.File {
	out := append(o.timeline.files(stderr), o.pcaps...)
	o.notePcap(stderr)
	if o.wantsPorts() {
		out = append(out, results.File{Name: results.PortsFile, Data: o.ports.Bytes()})
	}
	if !o.wantsFlows() {
		return out
	}
	return append(out, withFigure(stderr, results.File{Name: results.FlowsFile, Data: o.flows.Bytes()}, fctPNG, o.figure)...)
}

// withFigure returns a per-replication file and its figure, named png,
// as draw makes it; a note on stderr says why there is none if draw
// fails (the file is written all the same).
func withFigure(stderr io.Writer, file results.File, png string, draw func() ([]byte, error)) []results.File {
	out := []results.File{file}
	data, err := draw()
	if err != nil {
		fmt.Fprintf(stderr, "note: no %s: %v\n", png, err)
		return out
	}
	return append(out, results.File{Name: png, Data: data})
}

// linesFit refuses a figure of more sweep points than lines can be told
// apart; file, written all the same, has them all.
func linesFit(points int, file string) error {
	if points > plots.MaxSeries {
		return fmt.Errorf("%d sweep points, at most %d lines can be told apart (%s has them all)", points, plots.MaxSeries, file)
	}
	return nil
}

// fctPNG is the flow log's figure in the output set.
const fctPNG = "fct.png"

// cdfPoints is at most how many of a point's FCTs its CDF line is drawn
// through (evenly spaced order statistics: the line's error is below
// 1/cdfPoints in fraction, finer than the figure shows).
const cdfPoints = 2000

// figure draws each point's FCT distribution, every replication's
// finished flows pooled, as a CDF on a log axis.
func (o *repOut) figure() ([]byte, error) {
	if err := linesFit(len(o.points), results.FlowsFile); err != nil {
		return nil, err
	}
	c := plots.CDF{Title: o.plan.Base.Name + ": flow completion times, finished flows", XLabel: "FCT (µs)", LogX: true}
	for _, p := range o.points {
		vs := slices.Clone(o.fcts[p])
		if len(vs) == 0 {
			return nil, fmt.Errorf("point %s: no flow finished", pointName(o.plan, p))
		}
		slices.Sort(vs)
		if n := len(vs); n > cdfPoints {
			thin := make([]float64, cdfPoints)
			for i := range thin {
				thin[i] = vs[(i+1)*n/cdfPoints-1]
			}
			vs = thin
		}
		c.Series = append(c.Series, plots.Samples{Name: pointName(o.plan, p), Values: vs})
	}
	f, err := c.Figure()
	if err != nil {
		return nil, err
	}
	return f.Encode("png")
}

// warnUnwritten says on stderr what is written only with --out.
func (o *repOut) warnUnwritten(stderr io.Writer) {
	if n := o.timeline.csv.Rows(); n > 0 {
		fmt.Fprintf(stderr, "warning: the timeline (%d bins) is written only with --out DIR, to DIR/%s\n", n, results.TimelineFile)
	}
	if o.wantsFlows() {
		fmt.Fprintf(stderr, "warning: the flow log (%d flows) is written only with --out DIR, to DIR/%s\n", o.flows.Rows(), results.FlowsFile)
	}
	if o.wantsPorts() {
		fmt.Fprintf(stderr, "warning: the port log (%d rows) is written only with --out DIR, to DIR/%s\n", o.ports.Rows(), results.PortsFile)
	}
	if len(o.pcaps) > 0 {
		fmt.Fprintf(stderr, "warning: the packet captures (%d files) are written only with --out DIR, to DIR/%s/\n", len(o.pcaps), pcapDir)
	}
}
