package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// goodScenario is a valid scenario; bad cases append or replace lines.
const goodScenario = `name = "bad-input"
seed = 1
replications = 2
duration = "20ms"
warmup = "5ms"

[cluster]
nodes = 2
mtu = 1500

[cni]
plugin = "flannel"

[workload]
kind = "tcp_stream"
`

// badInputFixtures writes the input files of the bad-input table into dir
// and returns their paths by name.
func badInputFixtures(t *testing.T, dir string) map[string]string {
	t.Helper()
	read := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	antrea := read("../../models/cni/testdata/antrea.toml")
	profile := read("../../calibration/testdata/specific.toml")
	csv := read("../../calibration/fit/testdata/measurements.csv")
	replace := func(s, old, new string) string {
		if !strings.Contains(s, old) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(s, old, new, 1)
	}
	var sweep strings.Builder
	sweep.WriteString(goodScenario + "\n[sweep]\n\"cni.policy_rules\" = [")
	for i := range maxPoints + 1 {
		if i > 0 {
			sweep.WriteString(",")
		}
		sweep.WriteString(strconv.Itoa(i))
	}
	sweep.WriteString("]\n")

	files := map[string]string{
		"unknown-key.toml":    goodScenario + "linkspeed = 10\n",
		"wrong-case.toml":     strings.Replace(goodScenario, "mtu = 1500", "MTU = 1500", 1),
		"syntax.toml":         goodScenario + "[cluster\n",
		"mtu-small.toml":      strings.Replace(goodScenario, "mtu = 1500", "mtu = 500", 1),
		"mtu-large.toml":      strings.Replace(goodScenario, "mtu = 1500", "mtu = 70000", 1),
		"warmup.toml":         strings.Replace(goodScenario, `warmup = "5ms"`, `warmup = "20ms"`, 1),
		"zero-reps.toml":      strings.Replace(goodScenario, "replications = 2", "replications = 0", 1),
		"zero-duration.toml":  strings.Replace(goodScenario, `duration = "20ms"`, `duration = "0s"`, 1),
		"zero-ghz.toml":       strings.Replace(goodScenario, "nodes = 2", "nodes = 2\ncpu_ghz = 0", 1),
		"zero-cores.toml":     strings.Replace(goodScenario, "nodes = 2", "nodes = 2\ncores_per_node = 0", 1),
		"neg-rate.toml":       strings.Replace(goodScenario, "nodes = 2", "nodes = 2\nlink_gbps = -10", 1),
		"plugin.toml":         strings.Replace(goodScenario, `"flannel"`, `"flanel"`, 1),
		"mode.toml":           strings.Replace(goodScenario, `plugin = "flannel"`, "plugin = \"flannel\"\nmode = \"ipip\"", 1),
		"profile.toml":        goodScenario + "\n[calibration]\nprofile = \"papers\"\n",
		"neg-cycles.toml":     goodScenario + "\n[calibration.cycles]\nvxlan = -900\n",
		"cycles-stage.toml":   goodScenario + "\n[calibration.cycles]\nvxlans = 900\n",
		"sweep-mode.toml":     goodScenario + "\n[sweep]\n\"cni.mode\" = [\"vxlan\", \"ipip\"]\n",
		"sweep-seed.toml":     goodScenario + "\n[sweep]\n\"seed\" = [1, 2]\n",
		"huge-sweep.toml":     sweep.String(),
		"inter-one-node.toml": strings.Replace(goodScenario, "nodes = 2", "nodes = 1", 1) + "placement = \"inter\"\n",
		"congestion.toml":     goodScenario + "\n[tcp]\ncongestion = \"bbr\"\n",
		"kind.toml":           strings.Replace(goodScenario, `"tcp_stream"`, `"tcp_streams"`, 1),
		"good.toml":           goodScenario,

		"model-stage.toml":   replace(antrea, `stage = "geneve"`, `stage = "genev"`),
		"model-default.toml": replace(antrea, `default_mode = "encap"`, `default_mode = "vxlan"`),
		"model-context.toml": replace(antrea, `context = "send" }`, `context = "sned" }`),

		"profile-neg.toml":  replace(profile, "cycles = 1\n", "cycles = -1\n"),
		"profile-ghz.toml":  replace(profile, "cpu_ghz = 2.0", "cpu_ghz = 0"),
		"profile-prov.toml": replace(profile, `provenance = "assumed"`, `provenance = "guessed"`),

		"crlf-model.toml": "\"\r\n", // the TOML parser's error rendering panicked on this (fuzzing)

		"junk.script":  "this is not perf script output\n",
		"empty.script": "",

		"neg.csv":       replace(csv, "5200.5", "-5"),
		"stagecol.csv":  replace(csv, "cpp_vxlan", "cpp_vxlann"),
		"plugin.csv":    replace(csv, "flannel,vxlan", "flanel,vxlan"),
		"placement.csv": replace(csv, "inter,1500,5200.5", "sideways,1500,5200.5"),

		"partials/partial-0-of-2.json": `{"cnisim_version": `,
	}
	paths := map[string]string{}
	for name, text := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths[name] = p
	}
	// A scenario whose plugin is a broken model file.
	p := filepath.Join(dir, "user-model.toml")
	text := strings.Replace(goodScenario, `"flannel"`, strconv.Quote(paths["model-context.toml"]), 1)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	paths["user-model.toml"] = p
	return paths
}

// TestBadInput runs bad inputs of every kind through the CLI: each exits 2
// with a message naming what is wrong (and, where the input has them, the
// file and line or flag, and the allowed values), never a stack trace, and
// writes nothing (each case runs in an empty working directory, with --out
// inside it).
func TestBadInput(t *testing.T) {
	in := badInputFixtures(t, t.TempDir())
	f := func(name string) string { return in[name] }
	const out = "OUT"                                                // replaced by a path in the case's working directory
	script := "../../calibration/perf/testdata/perf/vxlan.script.gz" // real, valid
	cases := []struct {
		name string
		args []string
		want []string // phrases stderr must contain
	}{
		// Scenario files.
		{"unknown key", []string{"run", f("unknown-key.toml")}, []string{"unknown-key.toml:16:", "workload.linkspeed", "unknown key", "allowed in [workload]: kind"}},
		{"key case", []string{"run", f("wrong-case.toml")}, []string{"wrong-case.toml:9:", `did you mean "cluster.mtu"`}},
		{"syntax", []string{"run", f("syntax.toml")}, []string{"syntax.toml:", "TOML syntax"}},
		{"mtu < 576", []string{"run", f("mtu-small.toml")}, []string{"mtu-small.toml:9:", "cluster.mtu = 500", "576..65535"}},
		{"mtu > 65535", []string{"run", f("mtu-large.toml")}, []string{"cluster.mtu = 70000", "576..65535"}},
		{"warmup = duration", []string{"run", f("warmup.toml")}, []string{"warmup.toml:5:", "warmup", "less than duration"}},
		{"zero replications", []string{"run", f("zero-reps.toml")}, []string{"zero-reps.toml:3:", "replications = 0", "1..1000000"}},
		{"zero duration", []string{"run", f("zero-duration.toml")}, []string{"zero-duration.toml:4:", "duration", "must be > 0"}},
		{"zero frequency", []string{"run", f("zero-ghz.toml")}, []string{"zero-ghz.toml:9:", "cluster.cpu_ghz", "allowed: 0.01..100"}},
		{"zero cores", []string{"run", f("zero-cores.toml")}, []string{"cluster.cores_per_node = 0", "1..4096"}},
		{"negative rate", []string{"run", f("neg-rate.toml")}, []string{"cluster.link_gbps = -10", "allowed: 0.001..100000"}},
		{"unknown plugin", []string{"run", f("plugin.toml")}, []string{"plugin.toml:12:", `"flanel"`, "flannel, weave, cilium, calico, kube-router, host"}},
		{"mode the plugin lacks", []string{"run", f("mode.toml")}, []string{"mode.toml:13:", `plugin flannel has no mode "ipip"`, "vxlan, udp, host-gw"}},
		{"unknown profile", []string{"run", f("profile.toml")}, []string{"profile.toml:18:", `"papers"`, "built-in: aead-vm-6.18, gro-vm-6.18, kubeproxy-blog-2025, paper"}},
		{"negative cost", []string{"run", f("neg-cycles.toml")}, []string{"neg-cycles.toml:18:", "calibration.cycles.vxlan", "allowed: 0..1e+10"}},
		{"unknown stage", []string{"run", f("cycles-stage.toml")}, []string{"cycles-stage.toml:18:", `unknown stage kind "vxlans"`, "veth, bridge"}},
		{"swept mode the plugin lacks", []string{"run", f("sweep-mode.toml")}, []string{"sweep-mode.toml:18:", `no mode "ipip"`, "at sweep point"}},
		{"unsweepable key", []string{"run", f("sweep-seed.toml")}, []string{"sweep-seed.toml:18:", "cannot be swept"}},
		{"huge sweep without --yes", []string{"run", f("huge-sweep.toml")}, []string{"huge-sweep.toml:17:", "10001 points", "--yes"}},
		{"inter on one node", []string{"run", f("inter-one-node.toml")}, []string{"workload.placement", "cluster.nodes >= 2"}},
		{"unknown congestion", []string{"run", f("congestion.toml")}, []string{`tcp.congestion = "bbr"`, "cubic, reno"}},
		{"unknown workload", []string{"run", f("kind.toml")}, []string{`workload.kind = "tcp_streams"`, "tcp_stream, udp_stream, tcp_rr"}},
		{"missing scenario", []string{"run", f("good.toml") + ".missing"}, []string{"good.toml.missing", "no such file"}},
		{"model file that trips the TOML parser", []string{"run", f("good.toml"), "--set", "cni.plugin=" + f("crlf-model.toml")}, []string{"crlf-model.toml:1:", "TOML syntax"}},
		{"user model broken", []string{"run", f("user-model.toml")}, []string{"user-model.toml:12:", "model-context.toml:", `unknown context "sned"`, "send, softirq, daemon, recv"}},

		// --set values.
		{"--set without =", []string{"run", f("good.toml"), "--set", "cluster.mtu"}, []string{"--set cluster.mtu", "want key=value"}},
		{"--set wrong type", []string{"run", f("good.toml"), "--set", "cluster.mtu=jumbo"}, []string{"--set cluster.mtu=jumbo", "want an integer"}},
		{"--set unknown key", []string{"run", f("good.toml"), "--set", "cluster.speed=10"}, []string{"--set cluster.speed=10", "unknown key", "link_gbps"}},
		{"--set unknown plugin", []string{"run", f("good.toml"), "--set", "cni.plugin=calicoo"}, []string{"--set cni.plugin=calicoo", "neither a built-in"}},
		{"--set mode the plugin lacks", []string{"run", f("good.toml"), "--set", "cni.mode=native"}, []string{"--set cni.mode=native", `plugin flannel has no mode "native"`}},
		{"--set a sweep", []string{"run", f("good.toml"), "--set", "sweep.cluster.mtu=1"}, []string{"sweep entries cannot be set"}},
		{"--set NaN", []string{"run", f("good.toml"), "--set", "cluster.cpu_ghz=nan"}, []string{"--set cluster.cpu_ghz=nan", "finite"}},
		{"--set negative delay", []string{"run", f("good.toml"), "--set", "cluster.link_delay=-5us"}, []string{"cluster.link_delay", ">= 0"}},

		// run's flags.
		{"--reps 0", []string{"run", f("good.toml"), "--reps", "0"}, []string{"--reps 0", "replications"}},
		{"--parallel -1", []string{"run", f("good.toml"), "--parallel", "-1"}, []string{"--parallel -1", ">= 0"}},
		{"--format xml", []string{"run", f("good.toml"), "--format", "xml"}, []string{`unknown format "xml"`, "table, json, csv"}},
		{"--seed -1", []string{"run", f("good.toml"), "--seed", "-1"}, []string{"--seed -1", "non-negative"}},
		{"--shard out of range", []string{"run", f("good.toml"), "--shard", "2/2"}, []string{"--shard 2/2", "0..1"}},
		{"--shard without --out", []string{"run", f("good.toml"), "--shard", "0/2", "--out", ""}, []string{"--out DIR is needed"}},
		{"unknown flag", []string{"run", f("good.toml"), "--replications", "3"}, []string{"unknown flag: --replications"}},
		{"--out is a file", []string{"run", f("good.toml"), "--out", f("good.toml")}, []string{"--out", "good.toml: exists and is not a directory"}},
		{"scenario is a directory", []string{"run", filepath.Dir(f("good.toml"))}, []string{"is a directory"}},

		// CNI model files.
		{"model unknown stage", []string{"validate", f("model-stage.toml")}, []string{"model-stage.toml:", `unknown stage kind "genev"`, "geneve"}},
		{"model default mode", []string{"validate", f("model-default.toml")}, []string{"model-default.toml:10:", `default_mode "vxlan" is not a mode of antrea`, "encap, noencap"}},

		// Calibration profiles.
		{"profile negative cost", []string{"validate", f("profile-neg.toml")}, []string{"profile-neg.toml:9:", "cycles", "0..1e+10"}},
		{"profile zero frequency", []string{"validate", f("profile-ghz.toml")}, []string{"profile-ghz.toml:5:", "cpu_ghz", "0.01..100"}},
		{"profile provenance", []string{"validate", f("profile-prov.toml")}, []string{`unknown provenance "guessed"`, "quoted, derived, assumed"}},
		{"validate missing file", []string{"validate", f("good.toml") + ".missing"}, []string{"no such file"}},

		// perf script files and calibrate perf's flags.
		{"perf junk", []string{"calibrate", "perf", "--script", f("junk.script"), "--packets", "1000", "--cpu-ghz", "2.4", "--out", out}, []string{"junk.script:1: unparsable line"}},
		{"perf empty", []string{"calibrate", "perf", "--script", f("empty.script"), "--packets", "1000", "--cpu-ghz", "2.4", "--out", out}, []string{"empty.script", "empty file"}},
		{"perf zero packets", []string{"calibrate", "perf", "--script", script, "--packets", "0", "--cpu-ghz", "2.4", "--out", out}, []string{"--packets", "> 0"}},
		{"perf negative frequency", []string{"calibrate", "perf", "--script", script, "--packets", "1000", "--cpu-ghz", "-2.4", "--out", out}, []string{"--cpu-ghz", "> 0"}},
		{"perf unknown event", []string{"calibrate", "perf", "--script", script, "--packets", "1000", "--cpu-ghz", "2.4", "--event", "instructions"}, []string{`unknown event "instructions"`, "cycles, cpu-clock"}},
		{"perf unknown plugin", []string{"calibrate", "perf", "--script", script, "--packets", "1000", "--cpu-ghz", "2.4", "--plugin", "flanel", "--placement", "inter"}, []string{"--plugin", `"flanel"`, "flannel, weave"}},
		{"perf mode the plugin lacks", []string{"calibrate", "perf", "--script", script, "--packets", "1000", "--cpu-ghz", "2.4", "--plugin", "cilium", "--mode", "ipip", "--placement", "inter"}, []string{"--mode", `plugin cilium has no mode "ipip"`}},

		// Measurement CSVs and calibrate fit's flags.
		{"csv negative throughput", []string{"calibrate", "fit", "--measurements", f("neg.csv"), "--out", out}, []string{"neg.csv:3:", "throughput_mbps", ">= 0"}},
		{"csv unknown stage column", []string{"calibrate", "fit", "--measurements", f("stagecol.csv"), "--out", out}, []string{"stagecol.csv:2:", `unknown stage kind "vxlann"`}},
		{"csv unknown plugin", []string{"calibrate", "fit", "--measurements", f("plugin.csv"), "--out", out}, []string{"plugin.csv", "line 3", `"flanel"`}},
		{"csv unknown placement", []string{"calibrate", "fit", "--measurements", f("placement.csv"), "--out", out}, []string{"placement.csv:3:", `unknown placement "sideways"`, "intra, inter"}},
		{"fit zero frequency", []string{"calibrate", "fit", "--measurements", f("neg.csv"), "--cpu-ghz", "0"}, []string{"--cpu-ghz", "> 0"}},
		{"fit unknown stage", []string{"calibrate", "fit", "--measurements", f("neg.csv"), "--stages", "veth,vethh"}, []string{"--stages", `unknown stage kind "vethh"`}},

		// Other commands.
		{"unknown command", []string{"simulate"}, []string{`unknown command "simulate"`}},
		{"list unknown", []string{"list", "cnis"}, []string{`unknown catalogue "cnis"`, "plugins"}},
		{"calibrate unknown", []string{"calibrate", "measure"}, []string{`unknown subcommand "measure"`, "perf, fit"}},
		{"merge corrupt partial", []string{"merge", filepath.Dir(f("partials/partial-0-of-2.json")), "--out", out}, []string{"partial-0-of-2.json", "corrupt or truncated"}},
		{"merge missing dir", []string{"merge", f("good.toml") + ".d", "--out", out}, []string{"good.toml.d", "no such file"}},
		{"submit zero shards", []string{"submit", "slurm", f("good.toml"), "--shards", "0"}, []string{"--shards", ">= 1"}},
		{"submit unknown engine", []string{"submit", "pbs", f("good.toml"), "--shards", "4"}, []string{`unknown engine "pbs"`, "slurm, k8s"}},
		{"merge negative wait", []string{"merge", filepath.Dir(f("partials/partial-0-of-2.json")), "--out", out, "--wait", "-1s"}, []string{"--wait -1s", ">= 0"}},
	}
	if _, ok := commands["experiment"]; ok {
		cases = append(cases, struct {
			name string
			args []string
			want []string
		}{"unknown experiment", []string{"experiment", "no-such-experiment", "--out", out}, []string{`"no-such-experiment"`}})
	}
	if _, err := os.Stat("/dev/zero"); err == nil { // an endless input is refused, not read
		cases = append(cases, struct {
			name string
			args []string
			want []string
		}{"endless scenario", []string{"run", "/dev/zero"}, []string{"/dev/zero: larger than 64 MiB"}})
		for _, c := range []struct {
			name string
			args []string
			want []string
		}{
			{"endless file to validate", []string{"validate", "/dev/zero"}, []string{"/dev/zero: larger than 64 MiB"}},
			{"endless measurements", []string{"calibrate", "fit", "--measurements", "/dev/zero", "--out", out}, []string{"/dev/zero: larger than 64 MiB", "measurements CSV"}},
			{"endless perf map", []string{"calibrate", "perf", "--script", script, "--map", "/dev/zero", "--packets", "1000", "--cpu-ghz", "2.4"}, []string{"/dev/zero: larger than 64 MiB", "perf map"}},
			{"endless plugin model", []string{"run", "--set", "cni.plugin=/dev/zero", f("plugin.toml")}, []string{"/dev/zero: larger than 64 MiB", "plugin model"}},
			{"endless profile", []string{"run", "--set", "calibration.profile=/dev/zero", "../../bench/bulk.toml"}, []string{"/dev/zero: larger than 64 MiB", "calibration profile"}},
		} {
			cases = append(cases, c)
		}
	}
	if len(cases) < 30 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wd := t.TempDir()
			args := make([]string, len(c.args))
			for i, a := range c.args {
				if a == out {
					a = filepath.Join(wd, "out")
				} else if strings.HasPrefix(a, "../../") {
					abs, err := filepath.Abs(a)
					if err != nil {
						t.Fatal(err)
					}
					a = abs
				}
				args[i] = a
			}
			t.Chdir(wd)
			code, stdout, stderr := cli(args...)
			if code != 2 {
				t.Errorf("exit %d, want 2\nstderr: %s", code, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			for _, bad := range []string{"goroutine ", "panic:"} {
				if strings.Contains(stderr, bad) {
					t.Errorf("stderr has %q (a stack trace):\n%s", bad, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout not empty: %q", stdout)
			}
			if ents, _ := os.ReadDir(wd); len(ents) > 0 {
				t.Errorf("bad input left %d files in the working directory (first %s)", len(ents), ents[0].Name())
			}
		})
	}
}
