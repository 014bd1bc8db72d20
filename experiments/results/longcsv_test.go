package results

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
)

func TestLongCSVRows(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := sample().WriteLongCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := `point,param.cluster.mtu,param.cni.mode,metric,member,mean,stddev,ci95,n,p50,p90,p99
0,1500,vxlan,throughput_mbps,,1e+06,0.1,1e-07,2,,,
0,1500,vxlan,cpp_by_stage,veth,45,0,0,2,,,
1,9000,host-gw,rtt_us,,20,0,0,2,19,25,30
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// Every cell of results.csv is in results-long.csv, at its point, metric
// and member, and the long file has no other values: the two are the same
// numbers in two shapes. Points lacking a parameter leave its cell empty
// in both.
func TestLongCSVHoldsWideCells(t *testing.T) {
	t.Parallel()
	r := sample()
	r.Replications = 1
	r.Points = append(r.Points, Point{
		Params: []scenario.Param{{Key: "fabric.oversubscription", Value: 3.0}},
		Metrics: []Metric{
			{Name: CPUCoresUsedByNode, Members: []Member{{Name: "node0.total", Stat: Stat{Mean: 2.5, N: 1}}, {Name: "node1.total", Stat: Stat{Mean: 1.25, N: 1}}}},
			{Name: FCTMicros, Stat: Stat{Mean: 900, StdDev: 3, CI95: 40, N: 3, Quantiles: true, P50: 500, P90: 2000, P99: 9000}},
		},
	})
	var wide, long bytes.Buffer
	if err := r.WriteCSV(&wide); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteLongCSV(&long); err != nil {
		t.Fatal(err)
	}
	wrows, err := csv.NewReader(&wide).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	lrows, err := csv.NewReader(&long).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	whead, lhead := wrows[0], lrows[0]
	col := func(head []string, name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s in %v", name, head)
		return -1
	}
	metricAt := col(lhead, "metric")
	seen := map[string]bool{} // point/header of every non-empty wide cell found in the long file
	for _, lr := range lrows[1:] {
		pt := lr[0]
		wr := wrows[1+atoi(t, pt)]
		for i := 1; i < metricAt; i++ { // the parameters
			if got, want := lr[i], wr[col(whead, lhead[i])]; got != want {
				t.Errorf("point %s %s: long %q, wide %q", pt, lhead[i], got, want)
			}
		}
		prefix := lr[metricAt]
		if lr[metricAt+1] != "" {
			prefix += "." + lr[metricAt+1]
		}
		for i := metricAt + 2; i < len(lhead); i++ {
			h := prefix + "." + lhead[i]
			j := -1
			for k, wh := range whead {
				if wh == h {
					j = k
				}
			}
			if j < 0 {
				if lr[i] != "" {
					t.Errorf("point %s: %s=%q in the long file, no such column in the wide one", pt, h, lr[i])
				}
				continue
			}
			if lr[i] != wr[j] {
				t.Errorf("point %s %s: long %q, wide %q", pt, h, lr[i], wr[j])
			}
			seen[pt+"/"+h] = true
		}
	}
	for p, wr := range wrows[1:] {
		for j, cell := range wr {
			h := whead[j]
			if cell == "" || strings.HasPrefix(h, "param.") {
				continue
			}
			if key := strconv.Itoa(p) + "/" + h; !seen[key] {
				t.Errorf("point %d: %s=%q missing from the long file", p, h, cell)
			}
		}
	}
	if got := r.CSVColumns(); got != len(whead) {
		t.Errorf("CSVColumns %d, the wide header has %d", got, len(whead))
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("point %q: not an index", s)
	}
	return n
}
