package run

import (
	"github.com/cnisim/cnisim/models/network"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/workload"
)

func plan(t *testing.T, src string) *scenario.Plan {
	t.Helper()
	p, err := scenario.Load("f.toml", []byte(src), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The packet estimate of a stream between nodes is the link's packet rate
// (closed form): 10 Gbit/s / (8 x 1500 B) data packets plus one ACK per
// two, for 10 s and 10 replications.
func TestEstimateClosedForm(t *testing.T) {
	t.Parallel()
	c := Estimate(plan(t, "name = \"x\"\n"), 2)
	want := 10 * 10.0 * 10e9 / 8 / 1500 * 1.5
	if math.Abs(c.Packets-want) > 1e-9*want || c.Units != 10 {
		t.Errorf("packets %g units %g, want %g and 10", c.Packets, c.Units, want)
	}
	if c.CPUSeconds != c.Packets/PacketsPerCPUSecond {
		t.Errorf("cpu %g", c.CPUSeconds)
	}
}

// What the defaults and the committed scenarios run is accepted; the
// issue-19 blow-ups are refused with one line naming the cause.
func TestCostCheck(t *testing.T) {
	t.Parallel()
	lim := Limits{Cores: 2, MemoryBytes: 24e9, MaxWall: 7 * 24 * time.Hour}
	cases := []struct {
		name, src string
		parallel  int
		want      string // "" = accepted
	}{
		{"defaults", "name = \"x\"\n", 2, ""},
		{"paper scale", "name = \"x\"\nreplications = 50\n[sweep]\n\"cluster.mtu\" = [1500, 9000]\n\"cni.mode\" = [\"vxlan\", \"host-gw\"]\n", 2, ""},
		// streamed (Stream): the replications' results are not kept, so
		// what refuses 1e8 replications is their simulated time
		{"1e6 replications x 100 points", "name = \"x\"\nreplications = 1000000\n" + mtuSweep(100), 2, "years on 2 cores"},
		{"http_load 1e6 connections", "name = \"x\"\n[workload]\nkind = \"http_load\"\nconnections = 1000000\n", 2, "memory"},
		{"a week of 10 Gbit/s", "name = \"x\"\nduration = \"168h\"\n", 2, "days on 2 cores"},
		// the time series no longer grows with the set-up delay; the
		// week of simulated time is what costs
		{"http_download setup 168h at 1ms", "name = \"x\"\nduration = \"1ms\"\nwarmup = \"0s\"\n[cni]\nsetup_delay = \"168h\"\n[workload]\nkind = \"http_download\"\n", 2, "days on 2 cores"},
	}
	for _, c := range cases {
		err := Estimate(plan(t, c.src), c.parallel).Check(lim)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n")):
			t.Errorf("%s: got %v, want one line with %q", c.name, err, c.want)
		}
	}
}

func mtuSweep(n int) string {
	vals := make([]string, n)
	for i := range vals {
		vals[i] = strconv.Itoa(1000 + i)
	}
	return "[sweep]\n\"cluster.mtu\" = [" + strings.Join(vals, ", ") + "]\n"
}

// A shard carries its share of the units and keeps their results (its
// partial file), and the full memory of a running replication; an
// unsharded run keeps only the Window of results waiting to be streamed.
func TestCostShard(t *testing.T) {
	t.Parallel()
	c := Estimate(plan(t, "name = \"x\"\nreplications = 1000\n"), 1)
	s := c.Shard(10)
	if s.Units != 100 || math.Abs(s.Packets-c.Packets/10) > 1e-6*c.Packets || math.Abs((s.MemoryBytes-c.MemoryBytes)-100*bytesPerUnit) > 1 {
		t.Errorf("shard %+v of %+v", s, c)
	}
	if c.Shard(1) != c || c.Shard(0) != c {
		t.Error("Shard(1) or Shard(0) changed the cost")
	}
}

// Cluster traffic: every sending node fills its link (long-lived), or
// offers load of it (finite flows); memory counts the long-lived flows a
// pattern places, or every finite flow arriving in the run (closed forms).
func TestEstimateCluster(t *testing.T) {
	base := Estimate(plan(t, "name = \"x\"\nreplications = 1\n"), 1)
	perm := Estimate(plan(t, "name = \"x\"\nreplications = 1\n[cluster]\nnodes = 8\n[workload]\npattern = \"permutation\"\npods_per_node = 4\n"), 1)
	if math.Abs(perm.Packets-8*base.Packets) > 1e-9*perm.Packets {
		t.Errorf("permutation of 8 nodes: %g packets, want 8 x %g", perm.Packets, base.Packets)
	}
	if d := perm.MemoryBytes - base.MemoryBytes; math.Abs(d-31*bytesPerConnection) > 1 {
		t.Errorf("permutation: %g more bytes, want 31 more connections' %g", d, 31*bytesPerConnection)
	}
	inc := Estimate(plan(t, "name = \"x\"\nreplications = 1\n[cluster]\nnodes = 8\n[workload]\npattern = \"incast\"\nincast_senders = 3\nflow_sizes = \"websearch\"\nload = 0.5\n"), 1)
	if math.Abs(inc.Packets-3*0.5*base.Packets) > 1e-9*inc.Packets {
		t.Errorf("incast of 3 at load 0.5: %g packets, want 1.5 x %g", inc.Packets, base.Packets)
	}
	// 16 long-lived senders into one link: the link's worth, twice over
	// for what is dropped and sent again, not 16 links'
	inc16 := Estimate(plan(t, "name = \"x\"\nreplications = 1\n[cluster]\nnodes = 17\n[workload]\npattern = \"incast\"\n"), 1)
	if math.Abs(inc16.Packets-incastResend*base.Packets) > 1e-9*inc16.Packets {
		t.Errorf("incast of 16: %g packets, want %g x %g", inc16.Packets, incastResend, base.Packets)
	}
	flows := 3 * 0.5 * 10e9 / 8 / 1_711_250 * 10 // senders x rate x 10 s
	if d := inc.MemoryBytes - base.MemoryBytes; math.Abs(d-(flows-1)*bytesPerConnection) > 1 {
		t.Errorf("incast: %g more bytes, want %g flows' %g", d, flows, (flows-1)*bytesPerConnection)
	}
	// fq_codel: every node's flow queues
	fq := Estimate(plan(t, "name = \"x\"\nreplications = 1\n[cluster]\nnodes = 8\nqdisc = \"fq_codel\"\n[workload]\npattern = \"permutation\"\npods_per_node = 4\n"), 1)
	if d := fq.MemoryBytes - perm.MemoryBytes; math.Abs(d-8*float64(network.FQCoDelNodeBytes)) > 1 || network.FQCoDelNodeBytes < 1024*64 {
		t.Errorf("fq_codel on 8 nodes: %g more bytes, want 8 x %d", d, network.FQCoDelNodeBytes)
	}
	huge := Estimate(plan(t, "name = \"x\"\nreplications = 1\n[cluster]\nnodes = 10000\n[workload]\npattern = \"permutation\"\npods_per_node = 100\n"), 1)
	// 1e6 x 15.5 KB = 15.5 GB: more than an 8 GB machine has
	if err := huge.Check(Limits{Cores: 2, MemoryBytes: 8e9, MaxWall: 7 * 24 * time.Hour}); err == nil || !strings.Contains(err.Error(), "memory") {
		t.Errorf("a million long-lived flows: %v, want refused for memory", err)
	}
}

// A timeline's bins are kept until the run ends: each replication adds
// its bins x bytesPerTimelineBin (closed form), and a sweep of many
// replications of fine bins is refused for memory.
func TestEstimateTimeline(t *testing.T) {
	t.Parallel()
	base := Estimate(plan(t, "name = \"x\"\n"), 2)
	with := Estimate(plan(t, "name = \"x\"\ntimeline = \"1ms\"\n"), 2)
	// 10 replications x 10 s / 1 ms
	if d, want := with.MemoryBytes-base.MemoryBytes, 10*10_000.0*bytesPerTimelineBin; math.Abs(d-want) > 1e-6 {
		t.Errorf("timeline adds %g bytes, want %g", d, want)
	}
	big := Estimate(plan(t, "name = \"x\"\nreplications = 100000\ntimeline = \"1ms\"\n"), 2)
	err := big.Check(Limits{Cores: 2, MemoryBytes: 16e9, MaxWall: 1e6 * time.Hour})
	if err == nil || !strings.Contains(err.Error(), "of memory") {
		t.Errorf("1e5 replications x 1e4 bins: %v", err)
	}
}

// A flow log's rows are kept until the run ends: each replication adds
// every arriving flow (load x link rate / mean size per sending node, the
// Poisson rate) x bytesPerFlowRow; long-lived flows log nothing.
func TestEstimateFlowLog(t *testing.T) {
	t.Parallel()
	const flows = "name = \"x\"\nreplications = 2\nduration = \"1s\"\nwarmup = \"0.1s\"\n[cluster]\nnodes = 4\n[workload]\npattern = \"random\"\nflow_sizes = \"websearch\"\nload = 0.5\n"
	base := Estimate(plan(t, flows), 1)
	with := Estimate(plan(t, "flow_log = true\n"+flows), 1)
	web, err := workload.LoadFlowSizes("websearch")
	if err != nil {
		t.Fatal(err)
	}
	// 2 replications x 4 nodes x 0.5 x 10 Gbit/s / 8 / the mean size x 1 s
	if d, want := with.MemoryBytes-base.MemoryBytes, 2*4*0.5*10e9/8/web.Mean()*bytesPerFlowRow; math.Abs(d/want-1) > 1e-9 {
		t.Errorf("the flow log adds %g bytes, want %g", d, want)
	}
	long := "name = \"x\"\n[cluster]\nnodes = 4\n[workload]\npattern = \"random\"\n"
	if a, b := Estimate(plan(t, long), 1), Estimate(plan(t, "flow_log = true\n"+long), 1); a != b {
		t.Errorf("long-lived flows: %+v with the log, %+v without", b, a)
	}
}

// A port log's rows are kept until the run ends: each replication adds a
// row per switch port (a node port on its leaf, and one each way between
// every leaf and every spine) x bytesPerPortRow; without a fabric, none.
func TestEstimatePortLog(t *testing.T) {
	t.Parallel()
	const ls = "name = \"x\"\nreplications = 3\n[cluster]\nnodes = 32\n[fabric]\nkind = \"leaf-spine\"\nleaves = 4\nspines = 2\n"
	base := Estimate(plan(t, ls), 1)
	with := Estimate(plan(t, "port_log = true\n"+ls), 1)
	if d, want := with.MemoryBytes-base.MemoryBytes, 3*(32+2*4*2)*float64(bytesPerPortRow); math.Abs(d/want-1) > 1e-9 {
		t.Errorf("the port log adds %g bytes, want %g", d, want)
	}
	none := "name = \"x\"\n[cluster]\nnodes = 4\n"
	if a, b := Estimate(plan(t, none), 1), Estimate(plan(t, "port_log = true\n"+none), 1); a != b {
		t.Errorf("no fabric: %+v with the log, %+v without", b, a)
	}
}

// A traffic matrix offers its total rate: 12 Gbit/s over 10 Gbit/s links
// is what four random senders at load 0.3 offer (the same packets and
// connections), and its scale multiplies both.
func TestEstimateMatrix(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tm := filepath.Join(dir, "tm.txt")
	if err := os.WriteFile(tm, []byte("0 1 5\n1 2 4\n3 0 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	head := "name = \"x\"\nreplications = 1\n[cluster]\nnodes = 4\n[workload]\nflow_sizes = \"websearch\"\n"
	random := Estimate(plan(t, head+"pattern = \"random\"\nload = 0.3\n"), 1)
	matrix := Estimate(plan(t, head+"pattern = \"matrix\"\nmatrix = \""+tm+"\"\n"), 1)
	if math.Abs(matrix.Packets-random.Packets) > 1e-9*random.Packets || math.Abs(matrix.MemoryBytes-random.MemoryBytes) > 1 {
		t.Errorf("matrix of 12 Gbit/s: %g packets, %g bytes; random at 0.3: %g, %g", matrix.Packets, matrix.MemoryBytes, random.Packets, random.MemoryBytes)
	}
	double := Estimate(plan(t, head+"pattern = \"matrix\"\nmatrix = \""+tm+"\"\nmatrix_scale = 2\n"), 1)
	if math.Abs(double.Packets-2*matrix.Packets) > 1e-9*matrix.Packets {
		t.Errorf("scale 2: %g packets, want 2 x %g", double.Packets, matrix.Packets)
	}
}
