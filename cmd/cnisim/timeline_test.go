package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// timelineScenario: two points, two replications, 10 bins each.
const timelineScenario = `name = "timeline"
seed = 7
replications = 2
duration = "20ms"
warmup = "4ms"
timeline = "2ms"

[cluster]
nodes = 4
cores_per_node = 4

[fabric]
kind = "switch"
buffer_bytes = 100_000

[cni]
plugin = "flannel"

[workload]
kind = "tcp_stream"
pattern = "incast"

[sweep]
"cni.mode" = ["vxlan", "host-gw"]
`

// TestTimeline: timeline = 2ms writes timeline.csv beside the results: a
// row per bin of every replication in unit order, the same bytes whatever
// --parallel and when merged from shards; its bins add up to the
// replication's drops, and its goodput after the warm-up to the
// throughput results.json reports.
func TestTimeline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	withRealSimulator(t)
	dir, _, first := writtenThreeWays(t, timelineScenario, "timeline.csv")
	merged := filepath.Join(dir, "merged")
	readFile := func(out, name string) []byte { return readOutFile(t, out, name) }
	// the figure: a PNG, the same bytes from the shards, one panel per
	// quantity (5 with a switch and long-lived senders) at 45 mm each
	fig := readFile(filepath.Join(dir, "p1"), "timeline.png")
	if !bytes.Equal(readFile(merged, "timeline.png"), fig) || !bytes.Equal(readFile(filepath.Join(dir, "p2"), "timeline.png"), fig) {
		t.Error("timeline.png differs between the runs")
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(fig))
	if err != nil {
		t.Fatal(err)
	}
	const high = 1276 // 5 x 45 mm at 144 dpi
	if cfg.Height < high-2 || cfg.Height > high+2 {
		t.Errorf("timeline.png is %d px high, want about %d (5 panels)", cfg.Height, high)
	}

	rows, err := csv.NewReader(bytes.NewReader(first)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "param.cni.mode,replication,seed,t_s,goodput_mbps,cwnd_segments,drops,drops_switch,drops_rx_ring,drops_link,fabric_queue_bytes,cores_busy,flows_started,fct_us_p50"
	if h := strings.Join(rows[0], ","); h != want {
		t.Fatalf("header %s, want %s", h, want)
	}
	if len(rows) != 1+2*2*10 {
		t.Fatalf("%d rows, want 1 + 2 points x 2 replications x 10 bins", len(rows))
	}
	// unit order: point-major, then replication, then bins in time
	if rows[1][0] != "vxlan" || rows[11][1] != "1" || rows[21][0] != "host-gw" || rows[10][3] != "0.02" {
		t.Errorf("order: %v %v %v %v", rows[1], rows[11], rows[21], rows[10])
	}
	// goodput after the warm-up, per replication, against results.csv's mean
	res, err := os.ReadFile(filepath.Join(dir, "p1", "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rr, _ := csv.NewReader(bytes.NewReader(res)).ReadAll()
	col := map[string]int{}
	for i, h := range rr[0] {
		col[h] = i
	}
	f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	for p, mode := range []string{"vxlan", "host-gw"} {
		var sum, drops float64
		for _, r := range rows[1+p*20 : 21+p*20] {
			if f(r[3]) > 0.005 { // the bins after the warm-up: 8 of 2 ms
				sum += f(r[4]) * 2 / 16
			}
			drops += f(r[6])
		}
		sum /= 2
		thr := f(rr[1+p][col["throughput_mbps.mean"]])
		if d := sum/thr - 1; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: the bins' goodput after the warm-up %.6f Mbit/s, results %.6f", mode, sum, thr)
		}
		if want := 2 * f(rr[1+p][col["drops.mean"]]); drops != want || drops == 0 {
			t.Errorf("%s: the bins' drops %v, the replications' %v", mode, drops, want)
		}
	}
}

// TestTimelineFlows: with finite flows each bin counts the background
// flows that started in it (all of the flow log's, without a warm-up) and
// gives the median FCT of those of them that completed, as the flow log
// has them; a bin where none did has an empty cell; the figure gains the
// median's panel.
func TestTimelineFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	withRealSimulator(t)
	dir := t.TempDir()
	sc := filepath.Join(dir, "s.toml")
	text := strings.Replace(flowLogScenario, `warmup = "4ms"`, "warmup = \"0s\"\ntimeline = \"2ms\"", 1)
	if err := os.WriteFile(sc, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if code, _, stderr := cli("run", sc, "--out", out); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	read := func(name string) [][]string {
		rows, err := csv.NewReader(bytes.NewReader(readOutFile(t, out, name))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	type bin struct {
		mode, rep string
		i         int
	}
	started, fcts := map[bin]float64{}, map[bin][]float64{}
	for _, r := range read("flows.csv")[1:] { // mode, rep, seed, src, dst, bytes, start_s, fct_us
		b := bin{r[0], r[1], int(f(r[6]) / 0.002)}
		started[b]++
		if r[7] != "" {
			fcts[b] = append(fcts[b], f(r[7]))
		}
	}
	tl := read("timeline.csv")
	col := map[string]int{}
	for i, h := range tl[0] {
		col[h] = i
	}
	gaps, censored, total := 0, 0, 0.0
	for _, r := range tl[1:] {
		end := f(r[col["t_s"]])
		b := bin{r[0], r[1], int(math.Round(end/0.002)) - 1}
		if got := f(r[col["flows_started"]]); got != started[b] {
			t.Errorf("%v: %v flows started, the log %v", b, got, started[b])
		}
		total += started[b]
		// the median of all the flows started in the bin, known when the
		// one at its rank completed within the least age an open flow
		// has at the run's end (20 ms)
		cell, done := r[col["fct_us_p50"]], slices.Sorted(slices.Values(fcts[b]))
		k := (int(started[b]) + 1) / 2
		known := started[b] > 0 && len(done) >= k && (len(done) == int(started[b]) || done[k-1] <= (0.020-end)*1e6)
		if !known {
			gaps++
			if len(done) > 0 {
				censored++
			}
			if cell != "" {
				t.Errorf("%v: median FCT %s, with %d of %v flows completed: not known", b, cell, len(done), started[b])
			}
			continue
		}
		if want := done[k-1]; math.Abs(f(cell)/want-1) > 1e-9 {
			t.Errorf("%v: median FCT %s us, the log's %.6f", b, cell, want)
		}
	}
	if len(tl) != 1+2*2*10 || total == 0 || gaps == 0 || censored == 0 {
		t.Errorf("%d rows, %v flows, %d bins without a median, %d of them with completed flows: want 40 rows and some of each", len(tl)-1, total, gaps, censored)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(readOutFile(t, out, "timeline.png")))
	if err != nil {
		t.Fatal(err)
	}
	if high := 1276; cfg.Height < high-2 || cfg.Height > high+2 { // goodput, drops, buffers, cores, FCT
		t.Errorf("timeline.png is %d px high, want about %d (5 panels)", cfg.Height, high)
	}
}

// TestTimelineMarks: the failure and the repair are marked when every
// point has them at the same time, and not when they are swept; a
// flapping link's every cycle in the run.
func TestTimelineMarks(t *testing.T) {
	const base = "name = \"m\"\nduration = \"100ms\"\nwarmup = \"10ms\"\n[fabric]\nkind = \"leaf-spine\"\nfailed_links = \"leaf0.spine0\"\nfail_at = \"20ms\"\nrecover_at = \"60ms\"\n"
	for _, tc := range []struct {
		sweep string
		want  string
	}{
		{"", "links fail@0.02 links back@0.06"},
		{"[sweep]\n\"fabric.recover_at\" = [\"0s\", \"60ms\"]\n", "links fail@0.02"},
		{"[sweep]\n\"fabric.convergence\" = [\"0s\", \"10ms\"]\n", "links fail@0.02 links back@0.06"},
		{"[sweep]\n\"fabric.fail_at\" = [\"10ms\", \"20ms\"]\n", ""},
		{"flap_every = \"45ms\"\n", "links fail@0.02 links back@0.06 links fail@0.065"},
		{"flap_every = \"45ms\"\n[sweep]\n\"fabric.flap_every\" = [\"45ms\", \"50ms\"]\n", "links fail@0.02 links back@0.06"},
	} {
		if g := markText(t, base+tc.sweep); g != tc.want {
			t.Errorf("%q: marks %q, want %q", tc.sweep, g, tc.want)
		}
	}
}

// markText is the timeline's marks of a scenario's text, "label@time"
// each.
func markText(t *testing.T, text string) string {
	t.Helper()
	plan, err := scenario.Load("m.toml", []byte(text), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range newTimelineOut(plan).marks() {
		got = append(got, fmt.Sprintf("%s@%g", m.Label, m.X))
	}
	return strings.Join(got, " ")
}

// TestTimelineQueryMarks: the queries' window is marked within the run,
// each end unless it is swept (or the rate is).
func TestTimelineQueryMarks(t *testing.T) {
	const base = "name = \"q\"\nduration = \"100ms\"\nwarmup = \"0s\"\n[cluster]\nnodes = 4\n[workload]\npattern = \"none\"\nquery_rate = 100\n"
	for _, tc := range []struct{ text, want string }{
		{base + "query_from = \"20ms\"\nquery_until = \"60ms\"\n", "queries start@0.02 queries stop@0.06"},
		{base + "query_from = \"20ms\"\n", "queries start@0.02"},
		{base + "query_until = \"150ms\"\n", ""},
		{base + "query_from = \"20ms\"\nquery_until = \"60ms\"\n[sweep]\n\"workload.query_until\" = [\"60ms\", \"70ms\"]\n", "queries start@0.02"},
		{base + "query_from = \"20ms\"\n[sweep]\n\"workload.query_rate\" = [100, 200]\n", ""},
		{base, ""},
	} {
		if g := markText(t, tc.text); g != tc.want {
			t.Errorf("%q: marks %q, want %q", tc.text, g, tc.want)
		}
	}
}

// TestTimelineMatrixMarks: a traffic matrix's windows mark where the
// offered traffic changes within the run, unless the matrix is swept or
// changes more often than the marks allow.
func TestTimelineMatrixMarks(t *testing.T) {
	dir := t.TempDir()
	write := fileWriter(t, dir)
	burst := write("burst.tm", "0 1 2\n1 0 4 20ms 60ms\n0-1 0-1 1 60ms 100ms\n1 0 3 150ms\n")
	var many strings.Builder
	for i := range 11 {
		fmt.Fprintf(&many, "0 1 1 %dms %dms\n", 2*i+1, 2*i+2)
	}
	busy := write("many.tm", many.String())
	const base = "name = \"m\"\nduration = \"100ms\"\nwarmup = \"0s\"\n[cluster]\nnodes = 2\n[workload]\npattern = \"matrix\"\nflow_sizes = \"constant:10000\"\nmatrix = %q\n"
	for _, tc := range []struct {
		text, want string
	}{
		{fmt.Sprintf(base, burst), "traffic changes@0.02 traffic changes@0.06"},
		{fmt.Sprintf(base, burst) + "[sweep]\n\"workload.matrix_scale\" = [1, 2]\n", "traffic changes@0.02 traffic changes@0.06"},
		{fmt.Sprintf(base, burst) + "[sweep]\n\"workload.matrix\" = [" + strconv.Quote(burst) + ", " + strconv.Quote(busy) + "]\n", ""},
		{fmt.Sprintf(base, busy), ""},
	} {
		if g := markText(t, tc.text); g != tc.want {
			t.Errorf("%q: marks %q, want %q", tc.text, g, tc.want)
		}
	}
}
