package results

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
)

func sample() *Results {
	return &Results{
		Version: "v", Scenario: "s", Seed: 1, Replications: 2,
		Points: []Point{
			{
				Params: []scenario.Param{{Key: "cluster.mtu", Value: int64(1500)}, {Key: "cni.mode", Value: "vxlan"}},
				Metrics: []Metric{
					{Name: ThroughputMbps, Stat: Stat{Mean: 1e6, StdDev: 0.1, CI95: 1e-7, N: 2}},
					{Name: CPPByStage, Members: []Member{{Name: "veth", Stat: Stat{Mean: 45, N: 2}}}},
				},
			},
			{
				Params: []scenario.Param{{Key: "cluster.mtu", Value: int64(9000)}, {Key: "cni.mode", Value: "host-gw"}},
				Metrics: []Metric{
					{Name: RTTMicros, Stat: Stat{Mean: 20, N: 2, Quantiles: true, P50: 19, P90: 25, P99: 30}},
				},
			},
		},
	}
}

// The JSON is DESIGN 3's layout and parses back to the same numbers.
func TestJSONLayout(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := sample().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b.String())
	}
	want := map[string]any{
		"cnisim_version": "v", "scenario": "s", "seed": 1.0, "replications": 2.0,
		"points": []any{
			map[string]any{
				"params": map[string]any{"cluster.mtu": 1500.0, "cni.mode": "vxlan"},
				"metrics": map[string]any{
					"throughput_mbps": map[string]any{"mean": 1e6, "stddev": 0.1, "ci95": 1e-7, "n": 2.0},
					"cpp_by_stage":    map[string]any{"veth": map[string]any{"mean": 45.0, "stddev": 0.0, "ci95": 0.0, "n": 2.0}},
				},
			},
			map[string]any{
				"params": map[string]any{"cluster.mtu": 9000.0, "cni.mode": "host-gw"},
				"metrics": map[string]any{
					"rtt_us": map[string]any{"mean": 20.0, "stddev": 0.0, "ci95": 0.0, "n": 2.0, "p50": 19.0, "p90": 25.0, "p99": 30.0},
				},
			},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	if !strings.Contains(b.String(), `"mean": 1000000,`) {
		t.Errorf("large floats should print without exponent:\n%s", b.String())
	}
}

func TestCSVRows(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := sample().WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want header + 2", len(rows))
	}
	head := strings.Join(rows[0], ",")
	want := "param.cluster.mtu,param.cni.mode," +
		"throughput_mbps.mean,throughput_mbps.stddev,throughput_mbps.ci95,throughput_mbps.n," +
		"rtt_us.mean,rtt_us.stddev,rtt_us.ci95,rtt_us.n,rtt_us.p50,rtt_us.p90,rtt_us.p99," +
		"cpp_by_stage.veth.mean,cpp_by_stage.veth.stddev,cpp_by_stage.veth.ci95,cpp_by_stage.veth.n"
	if head != want {
		t.Errorf("header\n%s\nwant\n%s", head, want)
	}
	if got := strings.Join(rows[1], ","); got != "1500,vxlan,1e+06,0.1,1e-07,2,,,,,,,,45,0,0,2" {
		t.Errorf("row 1: %s", got)
	}
}

func TestWriteFilesAtomic(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	files := []File{{Name: "a.json", Data: []byte("{}")}, {Name: "b.csv", Data: []byte("x\n")}}
	if err := WriteFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("%d entries, want 2 and no temporaries", len(ents))
	}
	// A name that cannot be created (a directory is in the way) fails the
	// whole write: the other file keeps its old content.
	os.Mkdir(filepath.Join(dir, "c.toml"), 0o755)
	os.WriteFile(filepath.Join(dir, "c.toml", "x"), nil, 0o644)
	err := WriteFiles(dir, []File{{Name: "a.json", Data: []byte("new")}, {Name: "c.toml", Data: []byte("y")}})
	if err == nil {
		t.Fatal("want an error")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.json")); string(got) != "{}" {
		t.Errorf("a.json = %q", got)
	}
	ents, _ = os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary %s left behind", e.Name())
		}
	}
}

// With one replication stddev and ci95 are undefined: null in JSON, an
// empty cell in CSV, "-" in the table; never 0, which reads as "exact".
func TestOneReplicationUndefinedSpread(t *testing.T) {
	t.Parallel()
	r := &Results{Version: "v", Scenario: "s", Seed: 1, Replications: 1, Points: []Point{{
		Metrics: []Metric{
			{Name: ThroughputMbps, Stat: Stat{Mean: 9000, N: 1}},
			{Name: RTTMicros, Stat: Stat{Mean: 20, N: 1, Quantiles: true, P50: 19, P90: 25, P99: 30}},
			{Name: CPPTotal, Stat: Stat{Mean: 5, StdDev: 0, CI95: 0, N: 2}}, // defined, truly 0
		},
	}}}
	var js, cs, tb bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteCSV(&cs); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteTable(&tb); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Points []struct {
			Metrics map[string]map[string]*float64
		}
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, js.String())
	}
	ms := got.Points[0].Metrics
	for _, name := range []string{ThroughputMbps, RTTMicros} {
		for _, k := range []string{"stddev", "ci95"} {
			if v, ok := ms[name][k]; !ok || v != nil {
				t.Errorf("%s.%s = %v (present %v), want null", name, k, v, ok)
			}
		}
	}
	if v := ms[RTTMicros]["p99"]; v == nil || *v != 30 {
		t.Errorf("rtt_us.p99 = %v, want 30 (quantiles stay defined)", v)
	}
	if v := ms[CPPTotal]["ci95"]; v == nil || *v != 0 {
		t.Errorf("cpp_total.ci95 = %v, want 0 (n = 2: defined)", v)
	}
	rows, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "throughput_mbps.mean=9000 throughput_mbps.stddev= throughput_mbps.ci95= throughput_mbps.n=1 " +
		"rtt_us.mean=20 rtt_us.stddev= rtt_us.ci95= rtt_us.n=1 rtt_us.p50=19 rtt_us.p90=25 rtt_us.p99=30 " +
		"cpp_total.mean=5 cpp_total.stddev=0 cpp_total.ci95=0 cpp_total.n=2"
	var pairs []string
	for i, h := range rows[0] {
		pairs = append(pairs, h+"="+rows[1][i])
	}
	if g := strings.Join(pairs, " "); g != want {
		t.Errorf("csv\n%s\nwant\n%s", g, want)
	}
	lines := strings.Split(tb.String(), "\n")
	var tput string
	for _, l := range lines {
		if strings.Contains(l, ThroughputMbps) {
			tput = l
		}
	}
	if f := strings.Fields(tput); len(f) != 5 || f[2] != "-" || f[3] != "-" {
		t.Errorf("table row %q, want mean then - - for ci95 and stddev", tput)
	}
}

// A group of more than MaxTableMembers members (a cluster's per-node
// cores, four a node) lists its TableTopMembers largest by mean, in their
// order, and a note of how many more the files hold; a smaller group
// lists them all. The paired-comparison table does the same by the
// largest differences, after leaving out members equal in every pair.
func TestTableCapsLargeGroups(t *testing.T) {
	var many []Member
	var diffs []Diff
	for i := range 40 {
		v := float64(i % 10) // largest: node9, node19, node29, node39, then the 8s
		many = append(many, Member{Name: fmt.Sprintf("node%d", i), Stat: Stat{Mean: v, N: 1}})
		diffs = append(diffs, Diff{Name: fmt.Sprintf("rx_drops_by_node.node%d", i), N: 2, Diff: -v, StdDev: v})
	}
	r := &Results{Scenario: "s", Replications: 1, Points: []Point{{Metrics: []Metric{
		{Name: CPUCoresUsedByNode, Members: many},
		{Name: CPPByStage, Members: many[:3]},
	}}}}
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	var listed []string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 1 && strings.HasPrefix(f[0], CPUCoresUsedByNode+".") {
			listed = append(listed, strings.TrimPrefix(f[0], CPUCoresUsedByNode+"."))
		}
	}
	if want := []string{"node8", "node9", "node18", "node19", "node28", "node29", "node38", "node39"}; !slices.Equal(listed, want) {
		t.Errorf("listed %v, want %v", listed, want)
	}
	if !strings.Contains(out, "  cpu_cores_used_by_node: 32 more members in results.csv and results.json\n") ||
		!strings.Contains(out, "cpp_by_stage.node2") {
		t.Errorf("table:\n%s", out)
	}
	c := &Comparisons{Points: []Comparison{{Metrics: append(append([]Diff{{Name: "throughput_mbps", N: 2, Diff: 1, StdDev: 1}}, diffs...),
		Diff{Name: "rtt_us", N: 2, Diff: 2, StdDev: 1})}}}
	b.Reset()
	if err := c.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	// node0, node10, node20, node30 equal in every pair: 36 moved, 8 shown
	if n := strings.Count(out, "rx_drops_by_node.node"); n != 8 || !strings.Contains(out, "  rx_drops_by_node: 28 more members in comparison.csv and comparison.json\n") ||
		!strings.Contains(out, "rx_drops_by_node.node39") || !strings.Contains(out, "rtt_us") || !strings.Contains(out, "throughput_mbps") {
		t.Errorf("%d members listed; table:\n%s", n, out)
	}
}
