package results

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/workload"
)

// TimelineFile is the output set's time series file (scenario key
// timeline).
const TimelineFile = "timeline.csv"

// TimelineColumns are the series of a timeline, in their CSV order: the
// bin's end, then per bin the applications' goodput, the TCP senders'
// mean cwnd (empty without long-lived senders: finite flows, transactions),
// the network's drops and three places of them (switch buffers, receive
// rings, failed or lossy fabric links), the switches' queued bytes at the
// bin's end and the cores busy over every node (the network's empty for
// http_download, whose series has no events of its own), and with finite
// flows the background flows started in the bin and their median
// completion time (µs; empty: none started, or too many were still open
// at the run's end to know it).
var TimelineColumns = []string{"t_s", "goodput_mbps", "cwnd_segments", "drops", "drops_switch", "drops_rx_ring", "drops_link",
	"fabric_queue_bytes", "cores_busy", "flows_started", "fct_us_p50"}

// TimelineGaps are the timeline's columns whose bins may have no value:
// negative in the series, an empty cell in the file, left out of a mean.
var TimelineGaps = []string{"fct_us_p50"}

// FlowsFile is the output set's flow log (scenario key flow_log).
const FlowsFile = "flows.csv"

// FlowColumns are the flow log's columns, in their CSV order: the
// workload's log's (models/workload FlowLogColumns says what each holds).
var FlowColumns = workload.FlowLogColumns

// PortsFile is the output set's per-port statistics (scenario key
// port_log).
const PortsFile = "ports.csv"

// PortLabels are the port log's leading text columns: the port's name
// ("leaf0.spine1": leaf 0's port toward spine 1) and its tier (to_node,
// to_spine, to_leaf).
var PortLabels = []string{"port", "tier"}

// PortColumns are the port log's numeric columns, after PortLabels, over
// [warmup, duration] as the port metrics: frames dropped (early drops
// among them), frames and wire bytes admitted, frames marked CE, the
// deepest queue and its time average (bytes), the fraction of the window
// the port was sending, and 1 for a port whose link was down all along.
var PortColumns = []string{"drops", "early_drops", "frames", "bytes", "ecn_marks", "queue_max_bytes", "queue_mean_bytes", "utilisation", "failed"}

// unfinishedColumns are the flow log's columns whose -1 means "none"
// (none yet; for query, not a query's response): empty cells.
var unfinishedColumns = []string{"fct_us", "slowdown", "connect_us", "query"}

// RepTable renders a per-replication CSV file in memory (timeline.csv,
// flows.csv, ports.csv): the rows of every replication, in the order they
// are added (the run's unit order, so the file does not depend on
// --parallel): param.<key> per swept key, the replication and its seed,
// then the text columns, if any, and the named columns (an empty cell
// where a replication lacks one).
type RepTable struct {
	buf    bytes.Buffer
	cw     *csv.Writer
	labels []string // text columns before the series (AddLabelled)
	series []string
	blank  map[string]bool // columns whose negative values are written empty
	rows   int
}

// NewTimeline starts timeline.csv for a plan's swept keys.
func NewTimeline(axes []scenario.Axis) *RepTable {
	return newRepTable(axes, TimelineColumns).blanking(TimelineGaps)
}

// NewFlows starts flows.csv for a plan's swept keys.
func NewFlows(axes []scenario.Axis) *RepTable {
	return newRepTable(axes, FlowColumns).blanking(unfinishedColumns)
}

// blanking makes the columns' negative values empty cells.
func (t *RepTable) blanking(columns []string) *RepTable {
	t.blank = map[string]bool{}
	for _, c := range columns {
		t.blank[c] = true
	}
	return t
}

// NewPorts starts ports.csv for a plan's swept keys.
func NewPorts(axes []scenario.Axis) *RepTable { return newLabelledTable(axes, PortLabels, PortColumns) }

// newRepTable starts a file for a plan's swept keys and the column
// names, in order.
func newRepTable(axes []scenario.Axis, series []string) *RepTable {
	return newLabelledTable(axes, nil, series)
}

// newLabelledTable starts a file whose rows begin with text columns
// (labels) before the numeric series.
func newLabelledTable(axes []scenario.Axis, labels, series []string) *RepTable {
	t := &RepTable{labels: labels, series: series}
	t.cw = csv.NewWriter(&t.buf)
	var head []string
	for _, ax := range axes {
		head = append(head, "param."+ax.Key)
	}
	head = append(append(head, "replication", "seed"), labels...)
	t.cw.Write(append(head, series...))
	return t
}

// Add appends one replication's rows; series maps a column's name to one
// value per row (all of one length, that of the first column's).
func (t *RepTable) Add(params []scenario.Param, rep int, seed uint64, series map[string][]float64) {
	t.AddLabelled(params, rep, seed, nil, series)
}

// AddLabelled is Add for a table with text columns: labels[j] holds
// column j's text, one per row (a row without one gets an empty cell).
func (t *RepTable) AddLabelled(params []scenario.Param, rep int, seed uint64, labels [][]string, series map[string][]float64) {
	n := len(series[t.series[0]])
	for i := range n {
		row := make([]string, 0, len(params)+2+len(t.labels)+len(t.series))
		for _, pa := range params {
			row = append(row, csvValue(pa.Value))
		}
		row = append(row, strconv.Itoa(rep), strconv.FormatUint(seed, 10))
		for j := range t.labels {
			cell := ""
			if j < len(labels) && i < len(labels[j]) {
				cell = labels[j][i]
			}
			row = append(row, cell)
		}
		for _, name := range t.series {
			cell := ""
			if vs := series[name]; i < len(vs) && !(t.blank[name] && vs[i] < 0) {
				cell = repCell(vs[i])
			}
			row = append(row, cell)
		}
		t.cw.Write(row)
		t.rows++
	}
}

// Rows is the number of rows added.
func (t *RepTable) Rows() int { return t.rows }

// Bytes is the file so far.
func (t *RepTable) Bytes() []byte {
	t.cw.Flush()
	return t.buf.Bytes()
}

// repCell writes a whole number as one (bytes, nodes, drops: 17154021,
// not 1.7154021e+07), anything else in the shortest form that parses back
// to the same bits.
func repCell(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return num(v)
}
