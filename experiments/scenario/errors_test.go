package scenario

import (
	"errors"
	"strings"
	"testing"
)

// Each bad input gives one message naming file:line, the key, the value
// and what is allowed.
func TestBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, src string
		want      []string
	}{
		{"unknown key", "name = \"x\"\n[cluster]\nmtus = 9000\n", []string{"f.toml:3:", "cluster.mtus", "unknown key", "allowed in [cluster]: nodes, cores_per_node"}},
		{"unknown table", "[clusters]\nmtu = 1\n", []string{"f.toml:1:", "clusters", "unknown key", "allowed in the top level"}},
		{"wrong case", "[cluster]\nMTU = 9000\n", []string{"f.toml:2:", "cluster.MTU", "case-sensitive", `did you mean "cluster.mtu"`}},
		{"wrong case table", "[Cluster]\nmtu = 9000\n", []string{"f.toml:1:", "Cluster", `did you mean "cluster"`}},
		{"wrong type", "[cluster]\nnodes = \"two\"\n", []string{"f.toml:2:", `cluster.nodes = "two"`, "want an integer"}},
		{"float for int", "[cluster]\nmtu = 1500.5\n", []string{"f.toml:2:", "cluster.mtu = 1500.5", "want an integer"}},
		{"table for value", "cluster = 3\n", []string{"f.toml:1:", "cluster = 3", "want a table [cluster]"}},
		{"mtu range", "[cluster]\nmtu = 100000\n", []string{"f.toml:2:", "cluster.mtu = 100000", "576..65535"}},
		{"mtu low", "[cluster]\nmtu = 500\n", []string{"f.toml:2:", "576..65535"}},
		{"pod mtu", "[cni]\npod_mtu = 100\n", []string{"f.toml:2:", "cni.pod_mtu = 100", "576..65535"}},
		{"zero ghz", "[cluster]\ncpu_ghz = 0\n", []string{"f.toml:2:", "cluster.cpu_ghz = 0.0", "allowed: 0.01..100"}},
		{"nan", "[cluster]\nlink_gbps = nan\n", []string{"f.toml:2:", "cluster.link_gbps", "finite"}},
		{"negative cores", "[cluster]\ncores_per_node = -1\n", []string{"f.toml:2:", "cluster.cores_per_node = -1", "1..4096"}},
		{"zero reps", "replications = 0\n", []string{"f.toml:1:", "replications = 0", "1..1000000"}},
		{"negative seed", "seed = -1\n", []string{"f.toml:1:", "seed = -1", "non-negative"}},
		{"bad duration", "duration = \"10 seconds\"\n", []string{"f.toml:1:", `duration = "10 seconds"`, "duration string", "ns, us, ms"}},
		{"integer duration", "duration = 10\n", []string{"f.toml:1:", "duration = 10", "duration string"}},
		{"zero duration", "duration = \"0s\"\nwarmup = \"0s\"\n", []string{"f.toml:1:", "duration", "> 0"}},
		{"negative delay", "[cluster]\nlink_delay = \"-1us\"\n", []string{"f.toml:2:", `cluster.link_delay = "-1us"`, ">= 0"}},
		{"timeline too fine", "timeline = \"1ns\"\n", []string{"f.toml:1:", `timeline = "1ns"`, "allowed: 1us..168h"}},
		{"timeline bins", "duration = \"1s\"\ntimeline = \"1us\"\n", []string{"f.toml:2:", "timeline", "1000000 bins: at most 100000"}},
		{"warmup >= duration", "duration = \"2s\"\nwarmup = \"2s\"\n", []string{"f.toml:2:", `warmup = "2s"`, "less than duration (2s)"}},
		{"tsq through fabric with offloads", "[cluster]\noffloads = true\ntsq_through_fabric = true\n", []string{"f.toml:3:", "cluster.tsq_through_fabric = true", "needs cluster.offloads = false"}},
		{"tsq orphan with tsq through fabric", "[cluster]\ntsq_through_fabric = true\ntsq_orphan = true\n", []string{"f.toml:3:", "cluster.tsq_orphan = true", "needs cluster.tsq_through_fabric = false"}},
		{"ack_every zero", "[tcp]\nack_every = 0\n", []string{"f.toml:2:", "tcp.ack_every = 0", "1..1024"}},
		{"ack_every large", "[tcp]\nack_every = 5000\n", []string{"f.toml:2:", "tcp.ack_every = 5000", "1..1024"}},
		{"ack_policy unknown", "[tcp]\nack_policy = \"bsd\"\n", []string{"f.toml:2:", "tcp.ack_policy", "bsd", "every", "linux"}},
		{"hz not a kernel's", "[tcp]\nhz = 200\n", []string{"f.toml:2:", "tcp.hz", "200", "250", "1000"}},
		{"stack unknown", "[tcp]\nstack = \"bsd\"\n", []string{"f.toml:2:", "tcp.stack", "bsd", "rfc", "linux"}},
		{"enum", "[tcp]\ncongestion = \"bbr\"\n", []string{"f.toml:2:", `tcp.congestion = "bbr"`, "allowed: cubic, reno, dctcp"}},
		{"kind", "[workload]\nkind = \"ping\"\n", []string{"f.toml:2:", "workload.kind", "tcp_stream, udp_stream, tcp_rr, udp_rr, http_download, http_load, pod_launch"}},
		{"placement", "[workload]\nplacement = \"remote\"\n", []string{"f.toml:2:", "allowed: intra, inter"}},
		{"inter one node", "[cluster]\nnodes = 1\n", []string{"workload.placement", "cluster.nodes >= 2"}},
		{"arrival", "[workload]\narrival = \"fast\"\n", []string{"f.toml:2:", `workload.arrival = "fast"`, `a rate such as "10/s"`}},
		{"wrk connections", "[workload]\nkind = \"http_load\"\nthreads = 8\nconnections = 4\n", []string{"f.toml:4:", "workload.connections = 4", ">= workload.threads (8)"}},
		{"cycles stage", "[calibration.cycles]\nvxlen = 900\n", []string{"f.toml:2:", "calibration.cycles.vxlen", "unknown stage kind", "vxlan"}},
		{"cycles negative", "[calibration.cycles]\nvxlan = -5\n", []string{"f.toml:2:", "calibration.cycles.vxlan", "allowed: 0..1e+10"}},
		{"scale stage", "[calibration.scale]\nvxlen = 1.2\n", []string{"f.toml:2:", "calibration.scale.vxlen", "unknown stage kind", "vxlan"}},
		{"scale large", "[calibration]\nprofile = \"paper\"\n[calibration.scale]\nnetfilter = 1000\n", []string{"f.toml:4:", "calibration.scale.netfilter", "allowed: 0..100"}},
		{"scale type", "[calibration.scale]\nvxlan = \"double\"\n", []string{"f.toml:2:", "calibration.scale.vxlan", "want a number"}},
		{"syntax", "[cluster\nmtu = 1\n", []string{"f.toml:2:", "TOML syntax"}},
		{"sweep not array", "[sweep]\n\"cluster.mtu\" = 1500\n", []string{"f.toml:2:", `sweep."cluster.mtu"`, "array"}},
		{"sweep unknown key", "[sweep]\n\"cluster.mtus\" = [1500]\n", []string{"f.toml:2:", "cluster.mtus", "unknown key"}},
		{"sweep wrong type", "[sweep]\n\"cluster.mtu\" = [1500, \"jumbo\"]\n", []string{"f.toml:2:", `"jumbo"`, "want an integer"}},
		{"sweep out of range", "[sweep]\n\"cluster.mtu\" = [1500, 100]\n", []string{"f.toml:2:", "cluster.mtu = 100", "576..65535", "sweep point {cluster.mtu=100}"}},
		{"sweep seed", "[sweep]\nseed = [1, 2]\n", []string{"f.toml:2:", "cannot be swept"}},
		{"sweep empty", "[sweep]\n\"cni.mode\" = []\n", []string{"f.toml:2:", "at least one value"}},
		{"sweep repeated", "[sweep]\n\"cluster.mtu\" = [1500, 1500]\n", []string{"f.toml:2:", "repeated"}},
		{"sweep combination", "duration = \"3s\"\n[sweep]\nwarmup = [\"1s\", \"5s\"]\n", []string{"f.toml:3:", "warmup", "less than duration", `sweep point {warmup="5s"}`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load("f.toml", []byte(c.src), Options{})
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// All problems are reported at once, in file order.
func TestErrorsInFileOrder(t *testing.T) {
	_, err := Load("f.toml", []byte("[tcp]\ncongestion = \"x\"\n[cluster]\nmtu = 1\nnodes = \"a\"\n"), Options{})
	if err == nil {
		t.Fatal("no error")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "f.toml:5:") {
		// type errors stop decoding before range checks
		t.Errorf("got %q", err)
	}
	_, err = Load("f.toml", []byte("[tcp]\ncongestion = \"x\"\n[cluster]\nmtu = 1\n"), Options{})
	lines = strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "f.toml:2:") || !strings.HasPrefix(lines[1], "f.toml:4:") {
		t.Errorf("got %q, want two errors, line 2 then line 4", err)
	}
}

func TestValidateHook(t *testing.T) {
	t.Parallel()
	hook := func(s *Scenario) error {
		if s.CNI.Mode == "host-gw" && s.CNI.Plugin == "cilium" {
			return &FieldError{Key: "cni.mode", Value: Format(s.CNI.Mode), Msg: "cilium has no mode host-gw (modes: vxlan, geneve, native)"}
		}
		return nil
	}
	src := "[cni]\nplugin = \"cilium\"\n[sweep]\n\"cni.mode\" = [\"vxlan\", \"host-gw\"]\n"
	_, err := Load("f.toml", []byte(src), Options{Validate: hook})
	if err == nil || !strings.Contains(err.Error(), "f.toml:4:") || !strings.Contains(err.Error(), "modes: vxlan, geneve, native") {
		t.Errorf("got %v", err)
	}
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Errorf("want a *FieldError, got %T", err)
	}
}

func TestMaxPoints(t *testing.T) {
	t.Parallel()
	src := "[sweep]\n\"cluster.mtu\" = [1500, 9000]\n\"cni.policy_rules\" = [0, 1, 2]\n"
	_, err := Load("f.toml", []byte(src), Options{MaxPoints: 5})
	if !errors.Is(err, ErrTooManyPoints) || !strings.Contains(err.Error(), "6 points, more than 5") {
		t.Errorf("got %v", err)
	}
	if _, err := Load("f.toml", []byte(src), Options{MaxPoints: 6}); err != nil {
		t.Error(err)
	}
}
