package results

import (
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/cnisim/cnisim/experiments/scenario"
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
// http_download, whose series has no events of its own).
var TimelineColumns = []string{"t_s", "goodput_mbps", "cwnd_segments", "drops", "drops_switch", "drops_rx_ring", "drops_link",
	"fabric_queue_bytes", "cores_busy"}

// Timeline renders timeline.csv in memory: one row per bin of every
// replication, in the order they are added (the run's unit order, so the
// file does not depend on --parallel): param.<key> per swept key, the
// replication and its seed, then the named series (an empty cell where a
// replication lacks one).
type Timeline struct {
	buf    bytes.Buffer
	cw     *csv.Writer
	series []string
	rows   int
}

// NewTimeline starts the file for a plan's swept keys and the series
// names, in column order.
func NewTimeline(axes []scenario.Axis, series []string) *Timeline {
	t := &Timeline{series: series}
	t.cw = csv.NewWriter(&t.buf)
	var head []string
	for _, ax := range axes {
		head = append(head, "param."+ax.Key)
	}
	t.cw.Write(append(append(head, "replication", "seed"), series...))
	return t
}

// Add appends one replication's bins; series maps a name to one value per
// bin (all of one length, that of the first column's).
func (t *Timeline) Add(params []scenario.Param, rep int, seed uint64, series map[string][]float64) {
	n := len(series[t.series[0]])
	for i := range n {
		row := make([]string, 0, len(params)+2+len(t.series))
		for _, pa := range params {
			row = append(row, csvValue(pa.Value))
		}
		row = append(row, strconv.Itoa(rep), strconv.FormatUint(seed, 10))
		for _, name := range t.series {
			cell := ""
			if vs := series[name]; i < len(vs) {
				cell = num(vs[i])
			}
			row = append(row, cell)
		}
		t.cw.Write(row)
		t.rows++
	}
}

// Rows is the number of bins added.
func (t *Timeline) Rows() int { return t.rows }

// Bytes is the file so far.
func (t *Timeline) Bytes() []byte {
	t.cw.Flush()
	return t.buf.Bytes()
}
