package workload

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/podlaunch"
)

// wrkConfig is the vendor's wrk run (000: "wrk -t12 -c400", nginx in one
// pod on another node) against a worker costing 60,000 cycles per request
// and 4 per byte.
func wrkConfig(cores int) Config {
	cfg := baseConfig(HTTPLoad)
	cfg.Workload.HTTP = HTTP{Threads: 12, Connections: 400,
		Server: Server{Cores: cores, CyclesPerRequest: 60000, CyclesPerByte: 4}}
	return cfg
}

// serverBound is the server's request rate with its cores busy only with
// the application: cores x F / (cycles per request + cpb x response).
func serverBound(cfg Config) float64 {
	s := cfg.Workload.HTTP.Server
	resp := float64(HTTPResponseHeader + cfg.Workload.MessageBytes)
	return float64(s.Cores) * cfg.Cluster.GHz * 1e9 / (s.CyclesPerRequest + s.CyclesPerByte*resp)
}

// TestWrkNginxBound: one nginx core at 60,000 cycles per request at 2.4
// GHz serves about 40k requests/s (the vendor saw 40,362.94 with nginx at
// 99.7% of a core); the kernel's share on that core is small.
func TestWrkNginxBound(t *testing.T) {
	t.Parallel()
	cfg := wrkConfig(1)
	r := run(t, cfg)
	bound := serverBound(cfg)
	if r.RequestsPerS > bound || r.RequestsPerS < 0.97*bound {
		t.Errorf("%.0f requests/s, want just under the worker's bound %.0f", r.RequestsPerS, bound)
	}
	if math.Abs(r.RequestsPerS-40363)/40363 > 0.05 {
		t.Errorf("%.0f requests/s, want about the vendor's 40,363", r.RequestsPerS)
	}
	if app := r.CPUByContext["server_app"]; app < 0.97 || app > 1.0001 {
		t.Errorf("server_app %.3f cores, want the one worker saturated", app)
	}
	if st := r.CPUByContext["server_stack"]; st > 0.1 {
		t.Errorf("server_stack %.3f cores: the network stack should be a small share (000)", st)
	}
	// wrk's own CPU: 168,000 cycles per request is 2.8 cores at 40k/s (000: 282.5%)
	if want := r.RequestsPerS * DefaultClientCyclesPerRequest / (cfg.Cluster.GHz * 1e9); math.Abs(r.CPUByContext["client_app"]-want) > 0.01*want {
		t.Errorf("client_app %.3f cores, want %.3f", r.CPUByContext["client_app"], want)
	}
}

// TestWrkLittle: a closed loop with negligible client think time obeys
// Little's law, mean latency = connections / throughput (Little 1961).
func TestWrkLittle(t *testing.T) {
	t.Parallel()
	for _, cores := range []int{1, 2} {
		cfg := wrkConfig(cores)
		cfg.Workload.HTTP.ClientCyclesPerRequest = 1
		r := run(t, cfg)
		want := float64(cfg.Workload.HTTP.Connections) / r.RequestsPerS * 1e6
		if math.Abs(r.RTTus-want)/want > 0.01 {
			t.Errorf("%d cores: mean latency %.0f µs, want N/X = %.0f µs", cores, r.RTTus, want)
		}
		if !(r.LatencyP50us <= r.LatencyP90us && r.LatencyP90us <= r.LatencyP99us) {
			t.Errorf("quantiles out of order: %v %v %v", r.LatencyP50us, r.LatencyP90us, r.LatencyP99us)
		}
	}
}

// TestWrkScaling: requests/s rise with the server's cores, k times one
// core's rate, until wrk's threads bind: 10 client cores x F / 168,000
// cycles (DESIGN 2: the server pod can be the bottleneck; rising "until the
// network or client binds").
func TestWrkScaling(t *testing.T) {
	t.Parallel()
	one := run(t, wrkConfig(1)).RequestsPerS
	for _, cores := range []int{2, 3} {
		r := run(t, wrkConfig(cores))
		if math.Abs(r.RequestsPerS-float64(cores)*one)/(float64(cores)*one) > 0.02 {
			t.Errorf("%d cores: %.0f requests/s, want %d x %.0f", cores, r.RequestsPerS, cores, one)
		}
	}
	cfg := wrkConfig(8)
	r := run(t, cfg)
	client := float64(cfg.Cluster.CoresPerNode) * cfg.Cluster.GHz * 1e9 / DefaultClientCyclesPerRequest
	if r.RequestsPerS > client || r.RequestsPerS < 0.95*client {
		t.Errorf("8 server cores: %.0f requests/s, want wrk's bound %.0f", r.RequestsPerS, client)
	}
	if r.CPUByContext["server_app"] > 0.5*8 {
		t.Errorf("8 server cores: server_app %.2f cores, want them mostly idle when wrk binds", r.CPUByContext["server_app"])
	}
}

// TestHTTPDeterminismAndValidation: the http workloads are pure functions
// of their Config, and bad keys are named.
func TestHTTPDeterminismAndValidation(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{wrkConfig(2), downloadConfig(20e6, 4, Curl)} {
		a, b := run(t, cfg), run(t, cfg)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s: two runs of one config differ", cfg.Workload.Kind)
		}
	}
	for _, tc := range []struct {
		kind string
		mod  func(*HTTP)
		want string
	}{
		{HTTPDownload, func(h *HTTP) { h.FileBytes = 0 }, "workload.HTTP.FileBytes"},
		{HTTPDownload, func(h *HTTP) { h.Client = "wget" }, "workload.HTTP.Client"},
		{HTTPLoad, func(h *HTTP) { h.Connections = 5 }, "workload.HTTP.Connections"},
		{HTTPLoad, func(h *HTTP) { h.Server.Cores = 11 }, "workload.Server.Cores"},
		{HTTPLoad, func(h *HTTP) { h.Server.CyclesPerByte = -1 }, "workload.Server.CyclesPerByte"},
	} {
		cfg := wrkConfig(1)
		if tc.kind == HTTPDownload {
			cfg = downloadConfig(1e6, 4, Curl)
		}
		tc.mod(&cfg.Workload.HTTP)
		if _, err := Run(cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("error %v, want one naming %s", err, tc.want)
		}
	}
	cfg := wrkConfig(1)
	cfg.Workload.Launch = &podlaunch.Config{Plugin: "cilium"}
	if _, err := Run(cfg); err == nil || !strings.Contains(err.Error(), "launched client") {
		t.Errorf("a launched wrk client: error %v", err)
	}
}
