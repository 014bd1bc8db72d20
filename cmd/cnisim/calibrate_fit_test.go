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
// the paper profile's generic inter-host entries, illustrative generic
// kernel stages), per crossing and per byte.
var (
	exampleTruth = map[string]float64{
		"veth": 45, "bridge": 250, "fib": 70, "ip_forward": 640, "netfilter": 1467, "ebpf": 775,
		"vxlan": 900, "geneve": 900, "ipip": 250, "gre": 275, "ovs": 250, "userspace": 2000,
		"tcp": 200, "socket_copy": 0, "nic": 150,
		"netdev": 60, "ip_rcv": 150, "neigh": 50, "skb": 120, "softirq": 90, "sched": 500, "syscall": 350,
		"br_netfilter": 0,
	}
	exampleTruthPerByte = map[string]float64{"socket_copy": 0.2, "userspace": 0.25}
)

func fitJSONOf(t *testing.T, args ...string) fit.Result {
	t.Helper()
	code, out, stderr := invoke(append([]string{"calibrate", "fit", "--format", "json"}, args...)...)
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
	t.Parallel()
	r := fitJSONOf(t, "--measurements", fitExample)
	if len(r.Costs) != len(exampleTruth) || len(r.Rows) != 38 {
		t.Fatalf("%d costs, %d rows; want %d, 38", len(r.Costs), len(r.Rows), len(exampleTruth))
	}
	for _, c := range r.Costs {
		want, ok := exampleTruth[c.Stage]
		if !ok || math.Abs(c.Cycles-want) > 4*c.StdErr+1 {
			t.Errorf("%s = %.1f ± %.1f, want %g", c.Stage, c.Cycles, c.StdErr, want)
		}
		if want, ok := exampleTruthPerByte[c.Stage]; ok != (c.PerByte != nil) || ok && math.Abs(c.PerByte.Cycles-want) > 4*c.PerByte.StdErr+0.02*want {
			t.Errorf("%s per byte %+v, want %g", c.Stage, c.PerByte, want)
		}
	}
	// 1% noise on totals of 1000-9000 CPP: sigma of tens, not hundreds.
	if r.Sigma <= 0 || r.Sigma > 30 {
		t.Errorf("sigma %v", r.Sigma)
	}

	code, out, stderr := invoke("calibrate", "fit", "--measurements", fitExample)
	if code != 0 {
		t.Fatalf("table: exit %d: %s", code, stderr)
	}
	for _, s := range append(sortedKeys(exampleTruth), "kube-router/gre/inter/9000", "cpp_tcp", "residual", "± s.e.", "cycles/byte", "acks/pkt") {
		if !strings.Contains(out, s) {
			t.Errorf("table lacks %q:\n%s", s, out)
		}
	}
}

// Exact data made from known costs with the model's measured-node
// crossings (cni NodeCrossings, two ACK ratios, two MTUs) are fitted
// exactly, per crossing and per byte; --out writes them as a profile; and
// simulating a configuration with that profile charges the receiving node
// what the fit's model says (calibrate, then simulate, gives back the
// measured cost: ACKs counted the same way in both).
func TestCalibrateFitRoundTrip(t *testing.T) {
	t.Parallel()
	truth := map[datapath.Kind]float64{}
	for i, k := range datapath.Kinds() {
		truth[k] = float64(100 + 37*i)
	}
	perByte := map[datapath.Kind]float64{datapath.SocketCopy: 0.2, datapath.Userspace: 0.25}
	perStage := []datapath.Kind{datapath.TCP, datapath.SocketCopy, datapath.Skb, datapath.Sched, datapath.Syscall}
	var b strings.Builder
	b.WriteString("plugin,mode,placement,mtu,throughput_mbps,acks_per_packet,cpp_total")
	for _, k := range perStage {
		fmt.Fprintf(&b, ",cpp_%s", k)
	}
	b.WriteString("\n")
	cfgOf := fit.ModelConfigs()
	predict := func(r fit.Row, only ...datapath.Kind) float64 {
		c, err := cfgOf(r)
		if err != nil {
			t.Fatal(err)
		}
		x, sum := c.Crossings, 0.0
		for _, k := range datapath.Kinds() {
			if len(only) > 0 && k != only[0] {
				continue
			}
			sum += truth[k]*x.PerData(k, r.AcksPerPacket) + perByte[k]*(float64(c.PodMTU)*x.Data[k]+r.AcksPerPacket*datapath.TCPIPOverhead*x.Ack[k])
		}
		return sum
	}
	for _, n := range cni.Names() {
		m, err := cni.Builtin(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, md := range m.Modes {
			for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
				for _, set := range []struct {
					mtu  int
					acks float64
				}{{1500, 0.5}, {9000, 0.02}} {
					r := fit.Row{Plugin: n, Mode: md.Name, Placement: string(pl), MTU: set.mtu, AcksPerPacket: set.acks}
					fmt.Fprintf(&b, "%s,%s,%s,%d,100,%v,%v", n, md.Name, pl, set.mtu, set.acks, predict(r))
					for _, k := range perStage {
						b.WriteString(",")
						if n == "host" {
							fmt.Fprintf(&b, "%v", predict(r, k))
						}
					}
					b.WriteString("\n")
				}
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
		if want, ok := perByte[k]; ok != (c.PerByte != nil) || ok && math.Abs(c.PerByte.Cycles-want) > 1e-6*want {
			t.Errorf("%s per byte %+v, want %v", c.Stage, c.PerByte, want)
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
		if e.Provenance != calibration.Derived || math.Abs(e.Cycles-truth[k]) > 1e-6*truth[k] ||
			math.Abs(e.CyclesPerByte-perByte[k]) > 1e-6 || !strings.Contains(e.Source, "exact.csv") {
			t.Errorf("entry %+v", e)
		}
	}
	// Simulate two measured configurations with the fitted profile and
	// Linux's ACK policy: the receiving node's cycles per data packet are the
	// fit's model at 0.5 ACK per data packet (quick ACKs at the start and
	// the delayed-ACK timer add a little; within 0.5%).
	for _, c := range []struct{ plugin, mode string }{{"flannel", "vxlan"}, {"calico", "native"}} {
		sc := filepath.Join(dir, c.plugin+".toml")
		body := fmt.Sprintf("name = \"rt\"\nreplications = 1\nduration = \"300ms\"\nwarmup = \"50ms\"\n"+
			"[cluster]\ncpu_ghz = 3.0\ncpu_jitter = 0\nlink_gbps = 1\n[cni]\nplugin = %q\nmode = %q\n"+
			"[tcp]\nack_every = 2\n[calibration]\nprofile = %q\n", c.plugin, c.mode, out)
		if err := os.WriteFile(sc, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		cpp := simulatedCPP(t, sc)
		want := predict(fit.Row{Plugin: c.plugin, Mode: c.mode, Placement: "inter", MTU: 1500, AcksPerPacket: 0.5})
		t.Logf("%s/%s: simulated %.1f cycles per data packet, the fit's model %.1f", c.plugin, c.mode, cpp, want)
		if math.Abs(cpp-want) > 0.005*want {
			t.Errorf("%s/%s: simulated cpp_total %.1f, the fit's model %.1f (ACKs counted differently?)", c.plugin, c.mode, cpp, want)
		}
	}
}

func TestCalibrateFitStages(t *testing.T) {
	t.Parallel()
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
		code, _, stderr := invoke(append(c.args, "--out", out)...)
		if code != 2 || !strings.Contains(stderr, c.inStderr) {
			t.Errorf("cnisim %v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.inStderr)
		}
		if _, err := os.Stat(out); err == nil {
			t.Errorf("cnisim %v wrote %s", c.args, out)
			os.Remove(out)
		}
	}
	if code, _, stderr := invoke(fitArgs("--measurements", fitExample, "--out", dir)...); code != 2 || !strings.Contains(stderr, "is a directory") {
		t.Errorf("--out DIR: exit %d, %q", code, stderr)
	}
	// The under-determined error names the stages.
	_, _, stderr := invoke(fitArgs("--measurements", under)...)
	for _, s := range []string{"veth", "netfilter", "tcp", "socket_copy"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("under-determined message lacks %s: %q", s, stderr)
		}
	}
	assertOnlyFiles(t, dir, "badrow.csv", "empty.csv", "nomode.csv", "noplugin.csv", "under.csv")
}

// simulatedCPP runs the one-point scenario file sc and returns its
// simulated cycles per data packet (cpp_total's mean).
func simulatedCPP(t *testing.T, sc string) float64 {
	t.Helper()
	code, stdout, stderr := invoke("run", sc, "--format", "json")
	if code != 0 {
		t.Fatalf("run %s: exit %d: %s", sc, code, stderr)
	}
	var res struct {
		Points []struct {
			Metrics map[string]json.RawMessage `json:"metrics"`
		} `json:"points"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res.Points) != 1 {
		t.Fatalf("%v: %s", err, stdout)
	}
	var cpp struct{ Mean float64 }
	if err := json.Unmarshal(res.Points[0].Metrics["cpp_total"], &cpp); err != nil {
		t.Fatal(err)
	}
	return cpp.Mean
}
