package main

import (
	"fmt"
	"io"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// repOut collects what replications write beside the aggregated results,
// as they come in unit order: the timeline (scenario key timeline) and
// the flow log (flow_log).
type repOut struct {
	timeline *timelineOut
	flows    *results.RepTable
	plan     *scenario.Plan
}

func newRepOut(plan *scenario.Plan) *repOut {
	return &repOut{timeline: newTimelineOut(plan), flows: results.NewFlows(plan.Axes), plan: plan}
}

// add takes a unit's timeline and flow log, if it has them.
func (o *repOut) add(u run.UnitResult) {
	o.timeline.add(u)
	if fl := u.Sample.Flows; fl != nil {
		o.flows.Add(o.plan.Point(u.Point).Params, u.Rep, u.Seed, fl)
	}
}

// wantsFlows reports whether the scenario asks for a flow log (at some
// sweep point): flows.csv is written then, if only its header.
func (o *repOut) wantsFlows() bool {
	if o.plan.Base.FlowLog || o.flows.Rows() > 0 {
		return true
	}
	for _, ax := range o.plan.Axes {
		if ax.Key == "flow_log" {
			return true
		}
	}
	return false
}

// files are what the replications add to the output set.
func (o *repOut) files(stderr io.Writer) []results.File {
	out := o.timeline.files(stderr)
	if o.wantsFlows() {
		out = append(out, results.File{Name: results.FlowsFile, Data: o.flows.Bytes()})
	}
	return out
}

// warnUnwritten says on stderr what is written only with --out.
func (o *repOut) warnUnwritten(stderr io.Writer) {
	if n := o.timeline.csv.Rows(); n > 0 {
		fmt.Fprintf(stderr, "warning: the timeline (%d bins) is written only with --out DIR, to DIR/%s\n", n, results.TimelineFile)
	}
	if o.wantsFlows() {
		fmt.Fprintf(stderr, "warning: the flow log (%d flows) is written only with --out DIR, to DIR/%s\n", o.flows.Rows(), results.FlowsFile)
	}
}
