package main

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/internal/golden"
	"github.com/cnisim/cnisim/testbed"
)

func TestTestbedIncastUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		msg  string
	}{
		{[]string{"testbed", "incast"}, "testbed incast: missing subcommand (run or compare)"},
		{[]string{"testbed", "incast", "fly"}, `testbed incast: unknown subcommand "fly" (valid: run, compare)`},
		{[]string{"testbed", "incast", "run"}, "--out DIR is required"},
		{[]string{"testbed", "incast", "run", "--out", dir, "extra"}, "unexpected arguments: extra"},
		{[]string{"testbed", "incast", "run", "--out", dir, "--senders", "0"}, `--senders "0": "0" is not an integer 1..32`},
		{[]string{"testbed", "incast", "run", "--out", dir, "--senders", "4,x"}, `--senders "4,x": "x" is not an integer 1..32`},
		{[]string{"testbed", "incast", "run", "--out", dir, "--senders", "4,8,4"}, "--senders: 4 given twice"},
		{[]string{"testbed", "incast", "run", "--out", dir, "--buffers", "1000"}, `--buffers "1000": "1000" is not an integer 1514..67108864`},
		{[]string{"testbed", "incast", "run", "--out", dir, "--buffers", "24000,24000"}, "--buffers: 24000 given twice"},
		{[]string{"testbed", "incast", "run", "--out", dir, "--rate-mbit", "0"}, "--rate-mbit: 0 is not in 0.1..1000 Mbit/s"},
		{[]string{"testbed", "incast", "run", "--out", dir, "--rate-mbit", "x"}, "rate-mbit"},
		{[]string{"testbed", "incast", "run", "--out", dir, "--bytes", "0"}, "--bytes: 0 is not in 1..16777216"},
		{[]string{"testbed", "incast", "run", "--out", dir, "--queries", "0"}, "--queries: 0 is not in 1..10000"},
		{[]string{"testbed", "incast", "run", "--out", dir, "--gap", "-1s"}, "--gap: -1s is not in 0s..1m0s"},
		{[]string{"testbed", "incast", "run", "--out", dir, "--gap", "2m"}, "--gap: 2m0s is not in 0s..1m0s"},
		{[]string{"testbed", "incast", "run", "--out", dir, "--burst-frames", "0"}, "--burst-frames: 0 is not in 1..16"},
		{[]string{"testbed", "incast", "compare"}, "missing the run DIR"},
		{[]string{"testbed", "incast", "compare", dir, dir}, "unexpected arguments"},
		{[]string{"testbed", "incast", "compare", dir}, "incast.json"},
	} {
		code, _, stderr := invoke(c.args...)
		if code != 2 || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.msg)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("a refused command wrote %v", ents)
	}
	// asked-for help is output (stdout)
	if code, out, stderr := invoke("testbed", "incast", "--help"); code != 0 || !strings.Contains(out+stderr, "testbed incast compare DIR") {
		t.Errorf("help: exit %d: %s%s", code, out, stderr)
	}
	if code, out, stderr := invoke("testbed", "--help"); !strings.Contains(out+stderr, "testbed incast run --out DIR") {
		t.Errorf("testbed help: exit %d: %s%s", code, out, stderr)
	}
}

// recordedIncasts are the committed incast runs: tbf buckets of three
// frames (run1, and run3 beside run2) and of one (run2, and run4, recorded
// after the model's 2026-12-07 changes; run5 after TCP small queues were)
// (testbed/testdata/incast-run*/README.md).
var recordedIncasts = []string{"../../testbed/testdata/incast-run1", "../../testbed/testdata/incast-run2", "../../testbed/testdata/incast-run3", "../../testbed/testdata/incast-run4", "../../testbed/testdata/incast-run5"}

// Each committed run loads; `testbed incast compare` simulates each of its
// configurations and prints a row each; every number is finite. Only the
// measured columns are pinned (the golden measured.md beside the run): the
// simulated ones follow the TCP model, which changes.
func TestTestbedIncastRecorded(t *testing.T) {
	for _, dir := range recordedIncasts {
		t.Run(filepath.Base(dir), func(t *testing.T) { checkRecordedIncast(t, dir) })
	}
}

func checkRecordedIncast(t *testing.T, dir string) {
	r, err := testbed.LoadIncast(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Configs) != 8 {
		t.Fatalf("%d configurations, want 8 (4 and 8 senders x 4 buffers)", len(r.Configs))
	}
	golden.Check(t, dir+"/measured.md", []byte(testbed.IncastMeasuredTable(testbed.MeasuredIncast(r))))
	out := filepath.Join(t.TempDir(), "cmp.md")
	code, stdout, stderr := invoke("testbed", "incast", "compare", dir, "--out", out)
	if code != 0 {
		t.Fatalf("compare: exit %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(out); err != nil || string(b) != stdout {
		t.Errorf("--out %s is not the table printed (%v)", out, err)
	}
	rows := 0
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| senders") {
			rows++
		}
	}
	if rows != len(r.Configs) {
		t.Errorf("%d table rows for %d configurations:\n%s", rows, len(r.Configs), stdout)
	}
	cmp, err := testbed.CompareIncast(context.Background(), r, testbed.IncastSwitch)
	if err != nil {
		t.Fatal(err)
	}
	// as built: tbf links pass a frame when their bucket holds it, so a
	// query that loses nothing ends sooner than through a switch
	tbf, err := testbed.CompareIncast(context.Background(), r, testbed.IncastTBF)
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range tbf {
		if math.IsNaN(row.SimMean) || row.SimQueries < testbed.IncastMinSimQueries {
			t.Errorf("tbf links, senders %d, buffer %d: mean %v of %d queries", row.Senders, row.BufferBytes, row.SimMean, row.SimQueries)
		}
		if row.BufferBytes >= 256_000 && !(row.SimMean < cmp[i].SimMean) {
			t.Errorf("senders %d, buffer %d, no loss: %.2f ms through tbf links, %.2f through a switch: want sooner", row.Senders, row.BufferBytes, row.SimMean, cmp[i].SimMean)
		}
	}
	for _, row := range cmp {
		vals := map[string]float64{"measured p50": row.MeasP50, "p90": row.MeasP90, "mean": row.MeasMean,
			"simulated p50": row.SimP50, "simulated p90": row.SimP90, "simulated mean": row.SimMean, "p50 error": row.ErrP50Pct, "mean error": row.ErrMeanPct,
			"measured drops": row.MeasDrops, "simulated drops": row.SimDrops, "measured retransmissions": row.MeasRetrans, "simulated retransmissions": row.SimRetrans,
			"measured timeouts": row.MeasTimeouts, "measured loss probes": row.MeasProbes}
		for k, v := range vals {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("senders %d, buffer %d: %s is %v", row.Senders, row.BufferBytes, k, v)
			}
		}
		// tcp_timeouts and tcp_loss_probes: empty only if the simulator
		// stops reporting them
		for k, v := range map[string]float64{"simulated timeouts": row.SimTimeouts, "simulated loss probes": row.SimProbes} {
			if math.IsInf(v, 0) || v < 0 {
				t.Errorf("senders %d, buffer %d: %s is %v", row.Senders, row.BufferBytes, k, v)
			} else if math.IsNaN(v) {
				t.Logf("senders %d, buffer %d: %s not reported by the simulator", row.Senders, row.BufferBytes, k)
			}
		}
		if row.SimQueries < testbed.IncastMinSimQueries || row.Queries+row.Unfinished != 20 {
			t.Errorf("senders %d, buffer %d: %d simulated queries, %d+%d measured", row.Senders, row.BufferBytes, row.SimQueries, row.Queries, row.Unfinished)
		}
	}
}

// compare --set applies scenario keys to every configuration's
// simulation and says so in the table's head; a bad key is the flag's
// error, exit 2.
func TestTestbedIncastCompareSet(t *testing.T) {
	dir := recordedIncasts[3]
	code, plain, stderr := invoke("testbed", "incast", "compare", dir, "--links", "tbf")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	code, set, stderr := invoke("testbed", "incast", "compare", dir, "--links", "tbf", "--set", "tcp.rto_from_head=true")
	if code != 0 {
		t.Fatalf("--set: exit %d: %s", code, stderr)
	}
	if !strings.Contains(set, "--set tcp.rto_from_head=true.") || set == plain {
		t.Errorf("--set: the table does not say or show it:\n%s", set)
	}
	sc := t.TempDir()
	if code, _, stderr := invoke("testbed", "incast", "compare", dir, "--links", "tbf", "--scenarios", sc); code != 0 {
		t.Fatalf("--scenarios: exit %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(sc, "incast-8x96000.toml")); err != nil || !strings.Contains(string(b), "tbf_burst_frames = 1") {
		t.Errorf("--scenarios: incast-8x96000.toml %v:\n%s", err, b)
	}
	sc = t.TempDir()
	if code, _, stderr := invoke("testbed", "incast", "compare", dir, "--links", "tbf", "--set", "tcp.linux_tsq=true", "--scenarios", sc); code != 0 {
		t.Fatalf("--set --scenarios: exit %d: %s", code, stderr)
	}
	if b, err := os.ReadFile(filepath.Join(sc, "incast-8x96000.toml")); err != nil || !strings.HasPrefix(string(b), "# compared with --set tcp.linux_tsq=true: pass the same to cnisim run\n") {
		t.Errorf("--set --scenarios: incast-8x96000.toml %v does not repeat the --set:\n%s", err, b)
	}
	code, _, stderr = invoke("testbed", "incast", "compare", dir, "--set", "tcp.nope=1")
	if code != 2 || !strings.Contains(stderr, "--set tcp.nope=1") {
		t.Errorf("bad --set: exit %d, %q", code, stderr)
	}
}
