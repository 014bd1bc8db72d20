package simulate_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/simulate"
)

// FuzzScenarioRun goes through the whole boundary and a short simulation,
// not only the parser (issue 19): decode, validate (scenario bounds and
// the model layer), estimate the cost, run one replication of 1 ms per
// point and encode the results as JSON. Any input either is refused as bad
// input or runs to valid JSON; a panic, a run-time error not blaming a
// key, or a result JSON cannot encode (NaN, Inf) fails.
//
//	go test ./experiments/simulate -run '^$' -fuzz FuzzScenarioRun -fuzztime 60s
func FuzzScenarioRun(f *testing.F) {
	for _, s := range []string{
		"name = \"a\"\n",
		"[workload]\nkind = \"udp_stream\"\nrate_mbps = 0.001\n[cluster]\ncpu_ghz = 0.01\n[calibration.cycles]\ntcp = 1e10\n",
		"[workload]\nkind = \"tcp_rr\"\nstreams = 50\n[cluster]\nlink_gbps = 0.001\nlink_delay = \"168h\"\n",
		"[workload]\nkind = \"http_load\"\nconnections = 20\nthreads = 2\nmessage_bytes = 1073741824\n",
		"[workload]\nkind = \"http_download\"\nfile_bytes = 1\n[cni]\nsetup_delay = \"1s\"\n",
		"[workload]\nkind = \"pod_launch\"\npods = 5\narrival = \"poisson:1000000/s\"\n",
		"[cluster]\nmtu = 576\noffloads = true\nqdisc_packets = 1\ncpu_jitter = 1\n[tcp]\nrmem = 4096\nack_every = 1024\n",
		"[sweep]\n\"cluster.cpu_ghz\" = [0.01, 100]\n\"cni.mode\" = [\"vxlan\", \"host-gw\"]\n",
		// clusters behind a fabric, so that mutations reach its keys
		"port_log = true\nflow_log = true\n[cluster]\nnodes = 8\n[fabric]\nkind = \"leaf-spine\"\nleaves = 2\nspines = 2\noversubscription = 2.0\nfailed_links = \"leaf0.spine0\"\nfail_at = \"0.5ms\"\n[workload]\nkind = \"tcp_stream\"\npods_per_node = 2\npattern = \"random\"\nflow_sizes = \"websearch\"\nload = 0.3\n",
		"[cluster]\nnodes = 5\n[fabric]\nkind = \"switch\"\necn_threshold_bytes = 10000\nbuffer_bytes = 100000\n[tcp]\ncongestion = \"dctcp\"\n[workload]\nkind = \"tcp_stream\"\npattern = \"incast\"\n",
		"[cluster]\nnodes = 4\n[fabric]\nkind = \"leaf-spine\"\nleaves = 2\nspines = 1\nuplink_gbps = 1\n[service]\ncount = 10\n[workload]\nkind = \"tcp_stream\"\ntarget = \"service\"\npods_per_node = 3\npattern = \"all-to-all\"\nflow_sizes = \"datamining\"\nload = 0.9\nquery_rate = 1000\nquery_bytes = 1000\n",
		"[cluster]\nnodes = 4\n[fabric]\nkind = \"switch\"\n[workload]\nkind = \"tcp_stream\"\npattern = \"none\"\nquery_rate = 20000\nquery_fanin = 2\nquery_from = \"0.2ms\"\nquery_until = \"0.6ms\"\n",
		"timeline = \"0.1ms\"\n[cluster]\nnodes = 4\n[fabric]\nkind = \"switch\"\n[workload]\nkind = \"tcp_stream\"\npattern = \"random\"\nflow_sizes = \"websearch\"\nload = 0.8\nmeasure_until = \"0.5ms\"\nquery_rate = 5000\n",
	} {
		f.Add(s)
	}
	pin := []scenario.Override{
		{Key: "duration", Value: "1ms", Source: "fuzz"},
		{Key: "warmup", Value: "0s", Source: "fuzz"},
		{Key: "replications", Value: int64(1), Source: "fuzz"},
	}
	f.Fuzz(func(t *testing.T, src string) {
		p, err := scenario.Load("f.toml", []byte(src), scenario.Options{Overrides: pin, Validate: simulate.Validate, MaxPoints: 4})
		if err != nil {
			return // bad input, reported as such
		}
		if c := run.Estimate(p, 1); c.CPUSeconds > 0.5 || c.MemoryBytes > 1e9 {
			return // refused without --yes
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		urs, err := run.RunUnits(ctx, p, simulate.Model, run.Config{Parallel: 1})
		var ue *run.UnitError
		switch {
		case errors.As(err, &ue) && ue.Stack != nil:
			t.Fatalf("panic: %v\n%s", err, ue.Stack)
		case errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil:
			t.Fatalf("1 ms of simulated time took more than 30 s: %v", err)
		case ue != nil && scenario.BlamesKey(ue.Err):
			return // bad input found at run time, exit 2
		case err != nil:
			t.Fatalf("run failed: %v", err)
		}
		if err := run.Aggregate(p, urs, "fuzz").WriteJSON(io.Discard); err != nil {
			t.Fatalf("results do not encode: %v", err)
		}
	})
}
