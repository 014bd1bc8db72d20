package workload

import (
	"runtime"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/service"
	"github.com/cnisim/cnisim/sim"
)

// BenchmarkCRR: simulated TCP_CRR connections per CPU second and heap
// allocations per connection, 1 s simulated per iteration (the issue's
// target: 1 s of 100k connections/s in under 2 s on one core, memory flat
// in the number of connections).
//
//   - pod: the host path with free stages, 2 loops (about 100k connections per simulated second) (connection set-up and
//     teardown alone: the simulator's own cost per connection);
//   - svc-nftables: scenarios/services.toml's set-up (Flannel VXLAN, the
//     paper profile, 10,000 Services of 4 endpoints behind nftables,
//     conntrack with 120 s TIME_WAIT), 4 loops: about 100k connections
//     per simulated second.
//
// CPU is the process's (garbage collection included), so run one
// benchmark at a time:
//
//	go test ./models/workload -run '^$' -bench CRR -benchtime 3x
func BenchmarkCRR(b *testing.B) {
	for _, tc := range []struct {
		name    string
		streams int
		svc     bool
	}{{"pod", 2, false}, {"svc-nftables", 4, true}} {
		b.Run(tc.name, func(b *testing.B) {
			var cfg Config
			if tc.svc {
				cfg = bulkConfig(b, "flannel", "vxlan", false, sim.Second)
				prof, err := calibration.Load("paper")
				if err != nil {
					b.Fatal(err)
				}
				sc := service.Config{Count: 10000, Endpoints: 4, Proxy: service.NFTables}.Defaults("flannel", "")
				p, err := service.NewPlan(sc, prof, "flannel", "vxlan")
				if err != nil {
					b.Fatal(err)
				}
				cfg.Services = &Services{Plan: p, Target: TargetService}
			} else {
				cfg = bulkConfig(b, "host", "host", true, sim.Second)
			}
			cfg.Cluster = network.DefaultConfig() // not bench/bulk.toml's 50 µs links
			cfg.Workload.Kind, cfg.Workload.Streams, cfg.Workload.MessageBytes = TCPCRR, tc.streams, 1
			var conns, mallocs, cpu float64
			var ms0, ms1 runtime.MemStats
			for b.Loop() {
				runtime.ReadMemStats(&ms0)
				c0, _ := processCPU()
				r, err := Run(cfg)
				c1, _ := processCPU()
				runtime.ReadMemStats(&ms1)
				if err != nil {
					b.Fatal(err)
				}
				cpu += c1 - c0
				// connections established in the window, scaled to the run
				conns += r.ConnectionsPerS * (cfg.Duration - cfg.Warmup).Seconds()
				mallocs += float64(ms1.Mallocs - ms0.Mallocs)
			}
			n := float64(b.N)
			b.ReportMetric(conns/n, "conns/run")
			b.ReportMetric(mallocs/conns, "allocs/conn")
			if cpu > 0 {
				b.ReportMetric(conns/cpu, "conns/cpu-s")
				b.ReportMetric(cpu/n, "cpu-s/run")
			}
		})
	}
}
