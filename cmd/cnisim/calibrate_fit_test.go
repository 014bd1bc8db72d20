package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/calibration/fit"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
)

const fitExample = "../../calibration/fit/testdata/example.csv"

// exampleTruth are the costs example.csv was generated from (its header:
// the paper profile's generic inter-host entries).
var exampleTruth = map[string]float64{
	"veth": 45, "bridge": 250, "fib": 70, "ip_forward": 640, "netfilter": 1467, "ebpf": 775,
	"vxlan": 900, "geneve": 900, "ipip": 250, "gre": 275, "ovs": 250, "userspace": 2000,
	"tcp": 200, "socket_copy": 0, "nic": 150,
}

func fitJSONOf(t *testing.T, args ...string) fit.Result {
	t.Helper()
	code, out, stderr := run(append([]string{"calibrate", "fit", "--format", "json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r fit.Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	return r
}

// The example's noisy data give back the generating costs within their
// standard errors: this holds only if the CLI's crossings are those the
// data were made with (the measured node's).
func TestCalibrateFitExample(t *testing.T) {
	r := fitJSONOf(t, "--measurements", fitExample)
	if len(r.Costs) != len(exampleTruth) || len(r.Rows) != 19 {
		t.Fatalf("%d costs, %d rows; want %d, 19", len(r.Costs), len(r.Rows), len(exampleTruth))
	}
	for _, c := range r.Costs {
		want, ok := exampleTruth[c.Stage]
		if !ok || math.Abs(c.Cycles-want) > 4*c.StdErr+1 {
			t.Errorf("%s = %.1f ± %.1f, want %g", c.Stage, c.Cycles, c.StdErr, want)
		}
	}
	// 1% noise on totals of 1000-9000 CPP: sigma of tens, not hundreds.
	if r.Sigma <= 0 || r.Sigma > 30 {
		t.Errorf("sigma %v", r.Sigma)
	}

	code, out, stderr := run("calibrate", "fit", "--measurements", fitExample)
	if code != 0 {
		t.Fatalf("table: exit %d: %s", code, stderr)
	}
	for _, s := range append(sortedKeys(exampleTruth), "kube-router/gre/inter/1500", "cpp_tcp", "residual", "± s.e.") {
		if !strings.Contains(out, s) {
			t.Errorf("table lacks %q:\n%s", s, out)
		}
	}
}

// Exact data made from known costs with the model's measured-node
// crossings are fitted exactly, and --out writes them as a profile.
func TestCalibrateFitRoundTrip(t *testing.T) {
	truth := map[datapath.Kind]float64{}
	for i, k := range datapath.Kinds() {
		truth[k] = float64(100 + 37*i)
	}
	var b strings.Builder
	b.WriteString("plugin,mode,placement,mtu,throughput_mbps,cpp_total,cpp_tcp,cpp_veth\n")
	for _, n := range cni.Names() {
		m, err := cni.Builtin(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, md := range m.Modes {
			for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
				c, err := m.PerfCounts(md.Name, pl, cni.PathOptions{})
				if err != nil {
					t.Fatal(err)
				}
				total := 0.0
				for _, k := range datapath.Kinds() {
					total += c[k] * truth[k]
				}
				fmt.Fprintf(&b, "%s,%s,%s,1500,100,%v,%v,%v\n", n, md.Name, pl, total,
					c[datapath.TCP]*truth[datapath.TCP], c[datapath.Veth]*truth[datapath.Veth])
			}
		}
	}
	dir := t.TempDir()
	csv := filepath.Join(dir, "exact.csv")
	if err := os.WriteFile(csv, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "fitted.toml")
	r := fitJSONOf(t, "--measurements", csv, "--cpu-ghz", "3.0", "--out", out)
	for _, c := range r.Costs {
		k, _ := datapath.ParseKind(c.Stage)
		if math.Abs(c.Cycles-truth[k]) > 1e-6*truth[k] {
			t.Errorf("%s = %v, want %v", c.Stage, c.Cycles, truth[k])
		}
	}
	p, err := calibration.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "fitted" || p.GHz != 3 || len(p.Costs) != len(r.Costs) {
		t.Errorf("profile %q at %g GHz, %d entries", p.Name, p.GHz, len(p.Costs))
	}
	for _, e := range p.Costs {
		k, _ := datapath.ParseKind(e.Stage)
		if e.Provenance != calibration.Derived || math.Abs(e.Cycles-truth[k]) > 1e-6*truth[k] || !strings.Contains(e.Source, "exact.csv") {
			t.Errorf("entry %+v", e)
		}
	}
}

func TestCalibrateFitStages(t *testing.T) {
	r := fitJSONOf(t, "--measurements", fitExample, "--stages", "userspace,vxlan")
	if len(r.Costs) != 2 || r.Costs[0].Stage != "vxlan" || r.Costs[1].Stage != "userspace" {
		t.Errorf("costs %+v, want vxlan and userspace", r.Costs)
	}
}

func TestCalibrateFitBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const hdr = "plugin,mode,placement,mtu,throughput_mbps,cpp_total\n"
	under := write("under.csv", hdr+"flannel,vxlan,inter,1500,0,5900\nflannel,vxlan,intra,1500,0,2200\n")
	noPlugin := write("noplugin.csv", hdr+"warp,,inter,1500,0,100\n")
	noMode := write("nomode.csv", hdr+"flannel,warp,inter,1500,0,100\n")
	badRow := write("badrow.csv", hdr+"flannel,vxlan,sideways,1500,0,100\n")
	empty := write("empty.csv", "")
	fitArgs := func(more ...string) []string { return append([]string{"calibrate", "fit"}, more...) }
	cases := []struct {
		args     []string
		inStderr string
	}{
		{fitArgs(), "missing --measurements"},
		{fitArgs("--measurements", fitExample, "--cpu-ghz", "0"), "--cpu-ghz must be a finite number > 0, got 0"},
		{fitArgs("--measurements", fitExample, "--cpu-ghz", "-1"), "--cpu-ghz must be"},
		{fitArgs("--measurements", fitExample, "--format", "csv"), `--format: unknown format "csv"`},
		{fitArgs("--measurements", fitExample, "--stages", "veth,warp"), "--stages:"},
		{fitArgs("--measurements", fitExample, "--stages", "veth,veth"), "veth listed twice"},
		{fitArgs("--measurements", filepath.Join(dir, "none.csv")), "none.csv"},
		{fitArgs("--measurements", empty), "empty.csv: empty file"},
		{fitArgs("--measurements", badRow), `badrow.csv:2:`},
		{fitArgs("--measurements", noPlugin), `noplugin.csv: line 2 (warp//inter): plugin "warp"`},
		{fitArgs("--measurements", noMode), "nomode.csv: line 2"},
		// Two rows cannot separate the stages Flannel VXLAN crosses.
		{fitArgs("--measurements", under), "under-determined"},
		{fitArgs("--measurements", "../../calibration/fit/testdata/measurements.csv"), "not separated: "},
	}
	for _, c := range cases {
		out := filepath.Join(dir, "out.toml")
		code, _, stderr := run(append(c.args, "--out", out)...)
		if code != 2 || !strings.Contains(stderr, c.inStderr) {
			t.Errorf("cnisim %v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.inStderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("cnisim %v wrote %s", c.args, out)
			os.Remove(out)
		}
	}
	if code, _, stderr := run(fitArgs("--measurements", fitExample, "--out", dir)...); code != 2 || !strings.Contains(stderr, "is a directory") {
		t.Errorf("--out DIR: exit %d, %q", code, stderr)
	}
	// The under-determined error names the stages.
	_, _, stderr := run(fitArgs("--measurements", under)...)
	for _, s := range []string{"veth", "netfilter", "tcp", "socket_copy"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("under-determined message lacks %s: %q", s, stderr)
		}
	}
	assertOnlyFiles(t, dir, "badrow.csv", "empty.csv", "nomode.csv", "noplugin.csv", "under.csv")
}
