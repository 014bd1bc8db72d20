package results

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
)

// column is one CSV column: a parameter, or a metric (member) statistic.
type column struct {
	param  string // sweep key, or ""
	metric string
	member string // for grouped metrics
	stat   string // mean, stddev, ci95, n, p50, p90, p99
}

func (c column) header() string {
	switch {
	case c.param != "":
		return "param." + c.param
	case c.member != "":
		return c.metric + "." + c.member + "." + c.stat
	}
	return c.metric + "." + c.stat
}

var (
	baseStats     = []string{"mean", "stddev", "ci95", "n"}
	quantileStats = []string{"p50", "p90", "p99"}
)

// WriteCSV writes one row per point: param.<key> columns, then
// <metric>.<stat> and <metric>.<member>.<stat> columns, the union over all
// points (cells of metrics a point lacks are empty).
func (r *Results) WriteCSV(w io.Writer) error {
	cols := r.columns()
	cw := csv.NewWriter(w)
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.header()
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, p := range r.Points {
		cells := p.cells()
		row := make([]string, len(cols))
		for i, c := range cols {
			row[i] = cells[c.header()]
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (r *Results) columns() []column {
	var params []string
	metrics := map[string]bool{}
	members := map[string][]string{}
	quant := map[string]bool{} // metric or metric.member -> has quantiles
	for _, p := range r.Points {
		for _, pa := range p.Params {
			if !slices.Contains(params, pa.Key) {
				params = append(params, pa.Key)
			}
		}
		for _, m := range p.Metrics {
			metrics[m.Name] = true
			quant[m.Name] = quant[m.Name] || m.Stat.Quantiles
			for _, mem := range m.Members {
				if !slices.Contains(members[m.Name], mem.Name) {
					members[m.Name] = append(members[m.Name], mem.Name)
				}
				quant[m.Name+"."+mem.Name] = quant[m.Name+"."+mem.Name] || mem.Stat.Quantiles
			}
		}
	}
	var cols []column
	for _, k := range params {
		cols = append(cols, column{param: k})
	}
	names := make([]string, 0, len(metrics))
	for n := range metrics {
		names = append(names, n)
	}
	SortMetricNames(names)
	stats := func(metric, member string, q bool) {
		for _, s := range baseStats {
			cols = append(cols, column{metric: metric, member: member, stat: s})
		}
		if q {
			for _, s := range quantileStats {
				cols = append(cols, column{metric: metric, member: member, stat: s})
			}
		}
	}
	for _, n := range names {
		if mems, ok := members[n]; ok {
			SortMemberNames(mems)
			for _, mem := range mems {
				stats(n, mem, quant[n+"."+mem])
			}
			continue
		}
		stats(n, "", quant[n])
	}
	return cols
}

// cells maps column headers to this point's values.
func (p Point) cells() map[string]string {
	out := map[string]string{}
	for _, pa := range p.Params {
		out["param."+pa.Key] = csvValue(pa.Value)
	}
	put := func(prefix string, s Stat) {
		out[prefix+".mean"] = num(s.Mean)
		if s.Spread() { // undefined with one replication: an empty cell
			out[prefix+".stddev"] = num(s.StdDev)
			out[prefix+".ci95"] = num(s.CI95)
		}
		out[prefix+".n"] = strconv.Itoa(s.N)
		if s.Quantiles {
			out[prefix+".p50"] = num(s.P50)
			out[prefix+".p90"] = num(s.P90)
			out[prefix+".p99"] = num(s.P99)
		}
	}
	for _, m := range p.Metrics {
		if m.Members == nil {
			put(m.Name, m.Stat)
			continue
		}
		for _, mem := range m.Members {
			put(m.Name+"."+mem.Name, mem.Stat)
		}
	}
	return out
}

func num(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func csvValue(v any) string {
	switch x := v.(type) {
	case float64:
		return num(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
