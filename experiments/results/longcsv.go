package results

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
)

// LongCSVFile is the results in long (tidy) form, written beside
// results.csv: one row per point, metric and member, so its width is the
// sweep's parameters plus ten columns whatever the cluster's size. A
// 1,000-node run's results.csv has some 20,000 columns (four per node and
// context of cpu_cores_used_by_node alone), past the 16,384 a spreadsheet
// opens; this file holds the same numbers in rows.
const LongCSVFile = "results-long.csv"

// SpreadsheetColumns is the most columns common spreadsheets open
// (Excel's and LibreOffice Calc's 16,384, XFD).
const SpreadsheetColumns = 16384

// longStats are the value columns of a long row, in order.
var longStats = []string{"mean", "stddev", "ci95", "n", "p50", "p90", "p99"}

// WriteLongCSV writes one row per point, metric and member: the point's
// index (from 0, in the order of results.json), its param.<key> columns
// (the union over points, as in results.csv), then metric, member (empty
// for a metric without members), mean, stddev, ci95, n, p50, p90, p99.
// Cells that are undefined are empty as in results.csv: stddev and ci95
// with one replication, the quantiles of a metric that is not a
// distribution. Metrics and members come in results.json's order.
func (r *Results) WriteLongCSV(w io.Writer) error {
	var params []string
	for _, p := range r.Points {
		for _, pa := range p.Params {
			if !slices.Contains(params, pa.Key) {
				params = append(params, pa.Key)
			}
		}
	}
	cw := csv.NewWriter(w)
	head := []string{"point"}
	for _, k := range params {
		head = append(head, "param."+k)
	}
	head = append(head, "metric", "member")
	head = append(head, longStats...)
	if err := cw.Write(head); err != nil {
		return err
	}
	row := make([]string, len(head))
	for i, p := range r.Points {
		clear(row)
		row[0] = strconv.Itoa(i)
		for _, pa := range p.Params {
			row[1+slices.Index(params, pa.Key)] = csvValue(pa.Value)
		}
		put := func(metric, member string, s Stat) error {
			at := 1 + len(params)
			row[at], row[at+1] = metric, member
			v := row[at+2:]
			clear(v)
			v[0] = num(s.Mean)
			if s.Spread() {
				v[1], v[2] = num(s.StdDev), num(s.CI95)
			}
			v[3] = strconv.Itoa(s.N)
			if s.Quantiles {
				v[4], v[5], v[6] = num(s.P50), num(s.P90), num(s.P99)
			}
			return cw.Write(row)
		}
		for _, m := range p.Metrics {
			if m.Members == nil {
				if err := put(m.Name, "", m.Stat); err != nil {
					return err
				}
				continue
			}
			for _, mem := range m.Members {
				if err := put(m.Name, mem.Name, mem.Stat); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// CSVColumns is the number of columns WriteCSV writes.
func (r *Results) CSVColumns() int { return len(r.columns()) }
