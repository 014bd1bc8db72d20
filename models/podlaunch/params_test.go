package podlaunch

import (
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/sim"
)

func TestBuiltinsLoad(t *testing.T) {
	t.Parallel()
	want := []string{"calico", "cilium", "flannel", "host", "kube-router", "weave"}
	if got := Plugins(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("Plugins() = %v, want %v", got, want)
	}
	for _, name := range want {
		if _, err := BuiltinPlugin(name); err != nil {
			t.Error(err)
		}
	}
	if _, err := BuiltinCluster(); err != nil {
		t.Error(err)
	}
	// The Weave file encodes paper III.D: 4.5% of a 3.0 s start = 135 ms.
	w, _ := BuiltinPlugin("weave")
	var sum float64
	for _, s := range w.Stage {
		sum += s.MeanSeconds()
	}
	if sum < 0.1349 || sum > 0.1351 {
		t.Errorf("weave CNI stages sum to %v s, want 0.135", sum)
	}
	for _, bad := range []string{"cluster", "../weave", "nope"} {
		if _, err := BuiltinPlugin(bad); err == nil || !strings.Contains(err.Error(), "built-in: calico") {
			t.Errorf("BuiltinPlugin(%q): %v", bad, err)
		}
	}
}

const goodPlugin = `plugin = "mine"
serialize = { value = "add", provenance = "assumed", source = "x" }
policy = { value = "always", provenance = "assumed", source = "x" }

[stage.cni_ipam]
dist = "deterministic"
mean = { value = "10ms", provenance = "assumed", source = "x" }

[stage.cni_veth]
dist = "lognormal"
mean = { value = "40ms", provenance = "quoted", source = "x" }
cv = { value = 0.3, provenance = "assumed", source = "x" }

[stage.cni_routes]
dist = "uniform"
min = { value = "1ms", provenance = "assumed", source = "x" }
max = { value = "3ms", provenance = "assumed", source = "x" }

[stage.cni_policy]
dist = "gamma"
mean = { value = "5ms", provenance = "assumed", source = "x" }
cv = { value = 0.5, provenance = "assumed", source = "x" }

[stage.cni_labels]
dist = "exponential"
mean = { value = "2ms", provenance = "derived", source = "x" }
`

// A user's plugin file is read as written (scope, policy, each stage's
// distribution and mean) and drives the pipeline: every pod launches, runs
// its CNI stages with the file's durations (the deterministic one exactly,
// the uniform one within its bounds), and the run is deterministic.
func TestParsePluginGood(t *testing.T) {
	t.Parallel()
	p, err := ParsePlugin([]byte(goodPlugin), "mine.toml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Plugin != "mine" || p.SerializeScope() != "add" || p.PolicyMode() != "always" || !p.HasCNI() {
		t.Errorf("parsed plugin %q, serialize %q, policy %q, cni %v; want mine, add, always, true", p.Plugin, p.SerializeScope(), p.PolicyMode(), p.HasCNI())
	}
	// Means: deterministic, lognormal and gamma and exponential as given;
	// uniform (1ms, 3ms) has mean 2ms.
	for name, want := range map[string]float64{"cni_ipam": 0.010, "cni_veth": 0.040, "cni_routes": 0.002, "cni_policy": 0.005, "cni_labels": 0.002} {
		st, ok := p.Stage[name]
		if !ok {
			t.Errorf("stage %s missing", name)
			continue
		}
		if got := st.MeanSeconds(); math.Abs(got-want) > 1e-12 {
			t.Errorf("stage %s mean %g s, want %g", name, got, want)
		}
	}
	r, err := Run(Config{Params: p, Pods: 3}, sim.Streams{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.Plugin != "mine" || len(r.Pods) != 3 {
		t.Fatalf("result for plugin %q with %d pods, want mine with 3", r.Plugin, len(r.Pods))
	}
	for i, pod := range r.Pods {
		if pod.Stages[CNIIPAM] != 10*sim.Millisecond {
			t.Errorf("pod %d: cni_ipam %v, want the deterministic 10ms", i, pod.Stages[CNIIPAM])
		}
		if d := pod.Stages[CNIRoutes]; d < sim.Millisecond || d > 3*sim.Millisecond {
			t.Errorf("pod %d: cni_routes %v, want uniform in [1ms, 3ms]", i, d)
		}
		if pod.Stages[CNIVeth] <= 0 || pod.Stages[CNIPolicy] <= 0 {
			t.Errorf("pod %d: cni_veth %v, cni_policy %v: policy is always programmed and every stage takes time", i, pod.Stages[CNIVeth], pod.Stages[CNIPolicy])
		}
		if !(pod.Created <= pod.AddReturned && pod.AddReturned <= pod.Started && pod.Started < pod.Running) {
			t.Errorf("pod %d: events out of order: %+v", i, pod)
		}
	}
	again, err := Run(Config{Params: p, Pods: 3}, sim.Streams{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if again.Makespan() != r.Makespan() {
		t.Errorf("same seed, makespan %v then %v", r.Makespan(), again.Makespan())
	}
}

// Bad files are rejected with file:line, the key and the allowed values.
func TestParsePluginBad(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, from, to string
		want           []string
	}{
		{"unknown root key", `plugin = "mine"`, "plugin = \"mine\"\nmtu = 1", []string{"mine.toml:2", `"mtu"`, "allowed: plugin, cni"}},
		{"key case", `dist = "lognormal"`, `Dist = "lognormal"`, []string{"mine.toml:10", `"stage.cni_veth.Dist"`, "allowed: dist, mean"}},
		{"unknown stage", `[stage.cni_routes]`, `[stage.cni_route]`, []string{"mine.toml:14", `"cni_route"`, "allowed: cni_ipam"}},
		{"unknown dist", `dist = "gamma"`, `dist = "weibull"`, []string{"mine.toml:20", "stage.cni_policy.dist", `"weibull"`, "deterministic, exponential"}},
		{"bad provenance", `mean = { value = "2ms", provenance = "derived"`, `mean = { value = "2ms", provenance = "guessed"`, []string{"mine.toml:26", "stage.cni_labels.mean", `"guessed"`, "quoted, derived, assumed"}},
		{"empty source", `max = { value = "3ms", provenance = "assumed", source = "x" }`, `max = { value = "3ms", provenance = "assumed", source = "" }`, []string{"mine.toml:17", "stage.cni_routes.max", "source is empty"}},
		{"missing cv", "cv = { value = 0.5, provenance = \"assumed\", source = \"x\" }\n", "", []string{"mine.toml:19", "stage.cni_policy.cv", "missing"}},
		{"extra cv", "mean = { value = \"10ms\", provenance = \"assumed\", source = \"x\" }\n", "mean = { value = \"10ms\", provenance = \"assumed\", source = \"x\" }\ncv = { value = 1.0, provenance = \"assumed\", source = \"x\" }\n", []string{"mine.toml:8", "stage.cni_ipam.cv", "not used"}},
		{"negative", `"40ms"`, `"-40ms"`, []string{"mine.toml:11", "stage.cni_veth.mean", "(0, 1h0m0s]"}},
		{"bare number", `"40ms"`, `40`, []string{"mine.toml:11", "string with a unit"}},
		{"bad scope", `value = "add"`, `value = "node"`, []string{"mine.toml:2", "serialize.value", "none, ipam, add"}},
		{"unknown param key", `cv = { value = 0.3,`, `cv = { valu = 0.3,`, []string{"mine.toml:12", `"stage.cni_veth.cv.valu"`, "allowed: value, provenance, source"}},
		{"missing stage", "[stage.cni_labels]", "[stage.cni_extra]", []string{"mine.toml:24", "cni_extra"}},
		{"syntax", `dist = "deterministic"`, `dist = deterministic`, []string{"mine.toml:6"}},
		{"uniform order", `min = { value = "1ms"`, `min = { value = "9ms"`, []string{"mine.toml:16", "min <= max"}},
		{"policy never with stage", `value = "always"`, `value = "never"`, []string{"mine.toml:19", "stage.cni_policy", "not allowed here"}},
	} {
		if !strings.Contains(goodPlugin, tc.from) {
			t.Fatalf("%s: %q not in the good file", tc.name, tc.from)
		}
		_, err := ParsePlugin([]byte(strings.Replace(goodPlugin, tc.from, tc.to, 1)), "mine.toml")
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, w)
			}
		}
	}
}

func TestParseClusterBad(t *testing.T) {
	t.Parallel()
	data, _ := builtinFS.ReadFile("params/cluster.toml")
	good := string(data)
	for _, tc := range []struct{ from, to, want string }{
		{"api_qps = {", "api_qpss = {", `unknown key "limits.api_qpss" (allowed: api_qps`},
		{"scheduler_parallelism = { value = 1,", "scheduler_parallelism = { value = 0,", "limits.scheduler_parallelism.value: must be >= 1"},
		{"[stage.sandbox]", "[stage.cni_veth]", `unknown stage "cni_veth"`},
		{"[limits]", "[limit]", `unknown key "limit" (allowed: stage, limits)`},
	} {
		_, err := ParseCluster([]byte(strings.Replace(good, tc.from, tc.to, 1)), "cluster.toml")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "cluster.toml:") {
			t.Errorf("%s -> %s: %v", tc.from, tc.to, err)
		}
	}
	if _, err := ParseCluster(nil, "empty.toml"); err == nil {
		t.Error("empty file accepted")
	}
}

// FuzzParsePlugin: the loader never panics, and whatever it accepts runs.
func FuzzParsePlugin(f *testing.F) {
	f.Add([]byte(goodPlugin))
	for _, name := range Plugins() {
		data, _ := builtinFS.ReadFile("params/" + name + ".toml")
		f.Add(data)
	}
	f.Add([]byte("plugin = \"x\"\ncni = false\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePlugin(data, "fuzz.toml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.toml") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		if _, err := Run(Config{Params: p, Pods: 2, Async: true}, sim.Streams{Seed: 1}); err != nil {
			t.Fatalf("accepted file fails to run: %v", err)
		}
	})
}
