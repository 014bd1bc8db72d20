package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/cnisim/cnisim/experiments/solve"
)

// solveReport is solve's output: the answer (nil when there is none), why
// not (Error), and every run behind it.
type solveReport struct {
	Scenario     string       `json:"scenario"`
	Seed         uint64       `json:"seed"`
	Replications int          `json:"replications"`
	MaxReps      int          `json:"max_replications,omitempty"` // --max-reps: raised up to this where undecided
	Question     string       `json:"question"`                   // smallest, largest, maximise, minimise
	Vary         string       `json:"vary,omitempty"`
	Min          *float64     `json:"min,omitempty"`
	Max          *float64     `json:"max,omitempty"`
	Metric       string       `json:"metric"`
	Target       *solveTarget `json:"target,omitempty"`
	Rule         string       `json:"rule"`
	Answer       *solveRow    `json:"answer"`
	Close        []float64    `json:"not_separated_from_answer,omitempty"`
	Error        string       `json:"error,omitempty"`
	Runs         []solveRow   `json:"runs"`
	q            question     `json:"-"`
}

type solveTarget struct {
	Op    string  `json:"op"` // ">=" or "<="
	Value float64 `json:"value"`
}

// solveRow is one value's evaluation; the interval fields are null with
// one replication (undefined, not zero).
type solveRow struct {
	Value        *float64 `json:"value,omitempty"` // absent for a single run
	Mean         float64  `json:"mean"`
	CI95         *float64 `json:"ci95"`
	Lower        *float64 `json:"lower95"`
	Upper        *float64 `json:"upper95"`
	Replications int      `json:"replications"`
	Meets        *bool    `json:"meets_target,omitempty"`
}

func newSolveReport(q question, ev *solveEval, a *solve.Answer, serr error) *solveReport {
	r := &solveReport{Scenario: ev.name, Seed: ev.seed, Replications: ev.reps, Question: q.kind, Vary: q.key, Metric: q.metric, q: q}
	if ev.f.maxReps > ev.reps {
		r.MaxReps = ev.f.maxReps
	}
	if q.key != "" {
		mn, mx := q.dom.Min, q.dom.Max
		r.Min, r.Max = &mn, &mx
	}
	switch q.kind {
	case "smallest", "largest":
		op, bound := ">=", "lower bound, for at least"
		if q.target.AtMost {
			op, bound = "<=", "upper bound, for at most"
		}
		r.Rule = "the " + q.kind + " value whose whole 95% interval meets the target (its " + bound + ")"
		r.Target = &solveTarget{Op: op, Value: q.target.Value}
	case "maximise":
		r.Rule = "the value with the largest mean; not_separated_from_answer: values whose 95% interval overlaps the answer's"
	default:
		r.Rule = "the value with the smallest mean; not_separated_from_answer: values whose 95% interval overlaps the answer's"
	}
	if q.key == "" {
		r.Rule = "one run of the scenario at --given/--set: the metric's mean and its 95% interval (add --vary KEY to search over a key)"
	}
	var runs []solve.Eval
	var ur *solve.Unreachable
	var nm *solve.NonMonotone
	switch {
	case a != nil:
		runs = a.Runs
		row := r.row(a.At)
		r.Answer, r.Close = &row, a.Close
	case errors.As(serr, &ur):
		runs = ur.Runs
	case errors.As(serr, &nm):
		runs = nm.Runs
	}
	if serr != nil {
		r.Error = serr.Error()
	}
	for _, e := range runs {
		r.Runs = append(r.Runs, r.row(e))
	}
	return r
}

func (r *solveReport) row(e solve.Eval) solveRow {
	row := solveRow{Mean: e.Mean, Replications: e.N}
	if r.q.key != "" {
		x := e.X
		row.Value = &x
	}
	if e.Spread() {
		ci, lo, hi := e.CI95, e.Lower(), e.Upper()
		row.CI95, row.Lower, row.Upper = &ci, &lo, &hi
	}
	if r.q.searches() {
		m := r.q.target.Met(e)
		row.Meets = &m
	}
	return row
}

func (r *solveReport) write(w io.Writer, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.writeTable(w)
}

func (r *solveReport) writeTable(w io.Writer) error {
	switch r.Question {
	case "smallest", "largest":
		fmt.Fprintf(w, "question: the %s %s in [%s, %s] with %s %s %s\n", r.Question, r.Vary, solveFmt(*r.Min), solveFmt(*r.Max), r.Metric, r.Target.Op, solveFmt(r.Target.Value))
	case "maximise", "minimise":
		if r.Vary != "" {
			fmt.Fprintf(w, "question: the %s in [%s, %s] that %ss %s\n", r.Vary, solveFmt(*r.Min), solveFmt(*r.Max), r.Question, r.Metric)
		} else {
			fmt.Fprintf(w, "question: %s of the scenario as given\n", r.Metric)
		}
	}
	fmt.Fprintf(w, "rule: %s\n", r.Rule)
	raised := ""
	if r.MaxReps > 0 {
		raised = fmt.Sprintf(", raised up to %d where the interval left the target undecided", r.MaxReps)
	}
	fmt.Fprintf(w, "scenario: %s, seed %d, %d replication(s) per value%s\n", r.Scenario, r.Seed, r.Replications, raised)
	if r.Answer != nil {
		at := ""
		if r.Answer.Value != nil {
			at = r.Vary + " = " + solveFmt(*r.Answer.Value) + ": "
		}
		fmt.Fprintf(w, "answer: %s%s %s\n", at, r.Metric, fmtRow(*r.Answer))
		if len(r.Close) > 0 {
			var s []string
			for _, x := range r.Close {
				s = append(s, solveFmt(x))
			}
			fmt.Fprintf(w, "not separated from the answer at this replication count: %s = %v\n", r.Vary, s)
		}
	} else {
		fmt.Fprintf(w, "answer: none: %s\n", r.Error)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "mean\tci95\tlower95\tupper95\treps\t"
	if r.Vary != "" {
		head = r.Vary + "\t" + head
	}
	if r.q.searches() {
		head += "meets\t"
	}
	fmt.Fprintln(tw, head)
	for _, row := range r.Runs {
		line := fmt.Sprintf("%s\t%s\t%s\t%s\t%d\t", solveFmt(row.Mean), optFmt(row.CI95), optFmt(row.Lower), optFmt(row.Upper), row.Replications)
		if row.Value != nil {
			line = solveFmt(*row.Value) + "\t" + line
		}
		if row.Meets != nil {
			line += map[bool]string{true: "yes", false: "no"}[*row.Meets] + "\t"
		}
		fmt.Fprintln(tw, line)
	}
	return tw.Flush()
}

func solveFmt(x float64) string { return strconv.FormatFloat(x, 'g', 6, 64) }

func optFmt(p *float64) string {
	if p == nil {
		return "" // undefined with one replication: blank, not 0
	}
	return solveFmt(*p)
}

func fmtRow(r solveRow) string {
	if r.CI95 == nil {
		return fmt.Sprintf("%s (%d replication, no interval)", solveFmt(r.Mean), r.Replications)
	}
	return fmt.Sprintf("%s ± %s (95%% CI [%s, %s], %d replications)", solveFmt(r.Mean), solveFmt(*r.CI95), solveFmt(*r.Lower), solveFmt(*r.Upper), r.Replications)
}

func fmtStat(e solve.Eval) string {
	if !e.Spread() {
		return fmt.Sprintf("%s (%d replication)", solveFmt(e.Mean), e.N)
	}
	return fmt.Sprintf("%s ± %s (95%% CI, %d replications)", solveFmt(e.Mean), solveFmt(e.CI95), e.N)
}
