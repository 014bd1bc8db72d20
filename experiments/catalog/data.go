package catalog

import (
	"fmt"
	"math"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// Run returns the run of scenario file f.
func (d *Data) Run(f string) (*Run, error) {
	for _, r := range d.Runs {
		if r.File == f {
			return r, nil
		}
	}
	return nil, fmt.Errorf("experiment %s: no run of scenario %s", d.Exp.Name, f)
}

// Row is one sweep point of a run, located by its parameters.
type Row struct {
	Run   *Run
	Index int // point index in the run's results
	Point *results.Point
}

// Find returns the point of scenario file f whose parameters match kv
// (key, value, key, value...). Values compare by their printed form, so
// 1500 matches int64(1500) and "vxlan" matches "vxlan".
func (d *Data) Find(f string, kv ...any) (Row, error) {
	run, err := d.Run(f)
	if err != nil {
		return Row{}, err
	}
	return run.Find(kv...)
}

// Find is Data.Find within one run.
func (r *Run) Find(kv ...any) (Row, error) {
	if len(kv)%2 != 0 {
		return Row{}, fmt.Errorf("catalog: Find needs key, value pairs")
	}
	for i := range r.Results.Points {
		p := &r.Results.Points[i]
		if matches(p.Params, kv) {
			return Row{Run: r, Index: i, Point: p}, nil
		}
	}
	return Row{}, fmt.Errorf("scenario %s has no point with %v", r.File, kv)
}

func matches(ps []scenario.Param, kv []any) bool {
	for i := 0; i < len(kv); i += 2 {
		key := fmt.Sprint(kv[i])
		found := false
		for _, p := range ps {
			if p.Key == key {
				found = fmt.Sprint(p.Value) == fmt.Sprint(kv[i+1])
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// Stat returns a scalar or distribution metric; ok is false if absent.
func (w Row) Stat(metric string) (results.Stat, bool) { return w.Point.Stat(metric) }

// Member returns one member of a grouped metric.
func (w Row) Member(group, member string) (results.Stat, bool) { return w.Point.Member(group, member) }

// Members returns a grouped metric's members in canonical order.
func (w Row) Members(group string) []results.Member {
	for _, m := range w.Point.Metrics {
		if m.Name == group {
			return m.Members
		}
	}
	return nil
}

// Mean returns a metric's mean, NaN if absent.
func (w Row) Mean(metric string) float64 {
	if s, ok := w.Stat(metric); ok {
		return s.Mean
	}
	return math.NaN()
}

// PerRep returns the metric's value in each replication, in order.
func (w Row) PerRep(metric string) []float64 {
	var out []float64
	for _, m := range w.Run.PerRep[w.Index] {
		if v, ok := m[metric]; ok {
			out = append(out, v)
		}
	}
	return out
}

// Param returns the value of a sweep parameter of the row.
func (w Row) Param(key string) (any, bool) {
	for _, p := range w.Point.Params {
		if p.Key == key {
			return p.Value, true
		}
	}
	return nil, false
}
