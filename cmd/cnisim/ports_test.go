package main

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"
)

// portLogScenario: two points, two replications of web-search flows on a
// small leaf-spine at 2:1, every port logged.
const portLogScenario = `name = "portlog"
seed = 5
replications = 2
duration = "15ms"
warmup = "3ms"
port_log = true

[cluster]
nodes = 8
cores_per_node = 4

[fabric]
kind = "leaf-spine"
leaves = 2
spines = 2
oversubscription = 2.0

[cni]
plugin = "flannel"

[workload]
kind = "tcp_stream"
pattern = "random"
pods_per_node = 2
flow_sizes = "websearch"
load = 0.4

[sweep]
"cni.mode" = ["vxlan", "host-gw"]
`

// TestPortLogFile: port_log = true writes ports.csv beside the results, a
// row per switch port per replication in unit order (8 node ports and 2 x
// 2 x 2 uplink ports here), the same bytes whatever --parallel and when
// merged from shards, each replication's rows adding up to the port
// groups results.csv reports (drops summed, the deepest queue, the mean
// utilisation per tier); without --out a warning says where it would go.
func TestPortLogFile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	withRealSimulator(t)
	dir, sc, first := writtenThreeWays(t, portLogScenario, "ports.csv")
	if code, _, stderr := cli("run", sc, "--reps", "1"); code != 0 || !strings.Contains(stderr, "the port log (32 rows)") || !strings.Contains(stderr, "DIR/ports.csv") {
		t.Errorf("without --out: exit %d, stderr %s", code, stderr)
	}
	rows, err := csv.NewReader(bytes.NewReader(first)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "param.cni.mode,replication,seed,port,tier,drops,early_drops,frames,bytes,ecn_marks,queue_max_bytes,queue_mean_bytes,utilisation,failed"
	if h := strings.Join(rows[0], ","); h != want {
		t.Fatalf("header %s, want %s", h, want)
	}
	if len(rows) != 1+2*2*16 {
		t.Fatalf("%d rows, want 64: 16 ports x 2 replications x 2 points", len(rows)-1)
	}
	f := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	type unit struct{ mode, rep string }
	drops, maxQ := map[unit]float64{}, map[unit]float64{}
	util, n := map[unit]float64{}, map[unit]float64{}
	seen := map[string]bool{}
	for _, r := range rows[1:] {
		u := unit{r[0], r[1]}
		seen[r[3]] = true
		drops[u] += f(r[5])
		maxQ[u] = max(maxQ[u], f(r[10]))
		if r[4] == "to_spine" {
			util[u] += f(r[12])
			n[u]++
		}
		if v := f(r[12]); v < 0 || v > 1 || f(r[8]) < f(r[7])*64 {
			t.Errorf("row %v: utilisation %s, %s bytes in %s frames", r, r[12], r[8], r[7])
		}
	}
	if !seen["leaf0.node3"] || !seen["leaf1.spine0"] || !seen["spine1.leaf0"] || len(seen) != 16 {
		t.Errorf("port names %v", seen)
	}
	res := readOutFile(t, dir+"/p1", "results.csv")
	rr, _ := csv.NewReader(bytes.NewReader(res)).ReadAll()
	col := map[string]int{}
	for i, h := range rr[0] {
		col[h] = i
	}
	for p, mode := range []string{"vxlan", "host-gw"} {
		for _, c := range []struct {
			metric string
			of     map[unit]float64
			div    map[unit]float64
		}{{"port_drops.all.mean", drops, nil}, {"port_queue_bytes.all_max.mean", maxQ, nil}, {"port_utilisation.to_spine_mean.mean", util, n}} {
			var mean float64
			for _, rep := range []string{"0", "1"} {
				v := c.of[unit{mode, rep}]
				if c.div != nil {
					v /= c.div[unit{mode, rep}]
				}
				mean += v / 2
			}
			if got := f(rr[1+p][col[c.metric]]); math.Abs(mean-got) > 1e-9*math.Max(1, got) {
				t.Errorf("%s: the log gives %s %v, results %v", mode, c.metric, mean, got)
			}
		}
	}
	if drops[unit{"vxlan", "0"}]+drops[unit{"host-gw", "0"}] == 0 && maxQ[unit{"vxlan", "0"}] == 0 {
		t.Error("no drops and no queue anywhere: the log checks nothing")
	}
}
