package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
)

// Real perf script captures (calibration/perf/testdata/perf/README.md):
// cpu-clock sampled every 1 ms on a ~2.1 GHz VM, with the packets sent.
const perfFixtures = "../../calibration/perf/testdata/perf/"

var perfCases = []struct {
	file, packets string
	has           []string
}{
	{"bridge.script.gz", "6464", []string{"veth", "bridge", "tcp"}},
	{"vxlan.script.gz", "20773", []string{"veth", "vxlan", "fib", "tcp"}},
}

func perfArgs(file, packets string, more ...string) []string {
	return append([]string{"calibrate", "perf", "--script", file, "--packets", packets, "--cpu-ghz", "2.1"}, more...)
}

func TestCalibrateDispatch(t *testing.T) {
	cases := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{[]string{"calibrate"}, 2, "missing subcommand (perf, fit, rules or clock)"},
		{[]string{"calibrate", "bogus"}, 2, `unknown subcommand "bogus" (valid: perf, fit, rules, clock)`},
		{[]string{"calibrate", "clock", "--help"}, 0, "--idle"},
		{[]string{"calibrate", "--help"}, 0, "cnisim calibrate perf --script FILE"},
		{[]string{"calibrate", "perf", "--help"}, 0, "--cpu-ghz"},
		{[]string{"calibrate", "fit", "--help"}, 0, "--measurements"},
		{[]string{"calibrate", "perf", "extra"}, 2, "unexpected arguments"},
	}
	for _, c := range cases {
		code, stdout, stderr := invoke(c.args...)
		got := stderr
		if c.code == 0 {
			got = stdout // asked-for help is output
		}
		if code != c.code || !strings.Contains(got, c.inStderr) {
			t.Errorf("cnisim %v: exit %d, stdout %q, stderr %q; want %d and %q", c.args, code, stdout, stderr, c.code, c.inStderr)
		}
	}
}

func TestCalibratePerfTable(t *testing.T) {
	t.Parallel()
	for _, c := range perfCases {
		code, out, stderr := invoke(perfArgs(perfFixtures+c.file, c.packets)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.file, code, stderr)
		}
		for _, s := range append(c.has, "other") {
			if !strings.Contains(out, " "+s+" ") {
				t.Errorf("%s: table lacks stage %s:\n%s", c.file, s, out)
			}
		}
		if !strings.Contains(out, c.packets+" packets") || !strings.Contains(out, "cpu-clock at 2.1 GHz") {
			t.Errorf("%s: table lacks the inputs:\n%s", c.file, out)
		}
	}
}

// perfJSONOf runs calibrate perf --format json and decodes the output,
// checking that it has exactly the documented keys.
func perfJSONOf(t *testing.T, args []string) perfJSON {
	t.Helper()
	code, out, stderr := invoke(append(args, "--format", "json")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if keys := sortedKeys(raw); !slices.Equal(keys, []string{"acks", "acks_per_packet", "bytes", "cpp_total", "packets", "predicted_cpp", "samples", "stages", "unattributed_share"}) {
		t.Fatalf("top-level keys %v", keys)
	}
	var stages map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw["stages"], &stages); err != nil {
		t.Fatal(err)
	}
	for name, s := range stages {
		if _, err := datapath.ParseKind(name); err != nil {
			t.Errorf("stages has %q: %v", name, err)
		}
		want := []string{"ack_crossings", "cpp", "cycles", "cycles_per_byte", "data_crossings", "share"}
		if _, ok := s["call_crossings"]; ok && (name == "syscall" || name == "sched") {
			// the per-call and per-wake-up stages, with a configuration
			want = []string{"ack_crossings", "call_crossings", "cpp", "cycles", "cycles_per_byte", "data_crossings", "share"}
		}
		if keys := sortedKeys(s); !slices.Equal(keys, want) {
			t.Errorf("stage %s keys %v", name, keys)
		}
	}
	var r perfJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Formula III.1 in closed form: every cpu-clock sample is 1e6 ns, so
// 2.1e6 cycles at 2.1 GHz; the attributed stages' CPPs sum to
// samples x 2.1e6 / packets x (1 - unattributed share).
func TestCalibratePerfJSON(t *testing.T) {
	t.Parallel()
	for _, c := range perfCases {
		r := perfJSONOf(t, perfArgs(perfFixtures+c.file, c.packets))
		for _, s := range c.has {
			if r.Stages[s].CPP <= 0 {
				t.Errorf("%s: no %s", c.file, s)
			}
		}
		var share, cpp float64
		for _, s := range r.Stages {
			share += s.Share
			cpp += s.CPP
		}
		if math.Abs(share+r.UnattributedShare-1) > 1e-12 {
			t.Errorf("%s: shares %v + unattributed %v != 1", c.file, share, r.UnattributedShare)
		}
		packets := map[string]float64{"6464": 6464, "20773": 20773}[c.packets]
		want := float64(r.Samples) * 2.1e6 / packets * (1 - r.UnattributedShare)
		if math.Abs(cpp-want) > 1e-9*want {
			t.Errorf("%s: stage CPPs sum to %v, want %v", c.file, cpp, want)
		}
	}
}

// Plain text and its gzip give the same breakdown.
func TestCalibratePerfPlainText(t *testing.T) {
	t.Parallel()
	f, err := os.Open(perfFixtures + "bridge.script.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(t.TempDir(), "bridge.script")
	if err := os.WriteFile(plain, text, 0o644); err != nil {
		t.Fatal(err)
	}
	_, gz, _ := invoke(perfArgs(perfFixtures+"bridge.script.gz", "6464", "--format", "json")...)
	_, txt, _ := invoke(perfArgs(plain, "6464", "--format", "json")...)
	if gz != txt || gz == "" {
		t.Errorf("plain text and gzip differ:\n%s\n%s", txt, gz)
	}
}

// --out with a configuration: each entry is the stage's cycles (its own,
// its part of the unattributed and of the uncrossed stages) divided by
// D x Data[k] + A x Ack[k] on the measured node (+ the counted read calls
// and wake-ups for the per-call stages), or by B x Data[k] for the
// per-byte socket copy, tagged with plugin, mode and placement; the
// profile predicts the measured cycles per data packet.
func TestCalibratePerfOutPerCrossing(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "node1.toml")
	const D, A, B = 20773, 300, 20773 * 1448
	args := perfArgs(perfFixtures+"vxlan.script.gz", "20773", "--plugin", "flannel", "--mode", "vxlan", "--placement", "inter",
		"--acks", "300", "--reads", "5000", "--wakeups", "4000", "--bytes", fmt.Sprint(B), "--comm", "sender,ksoftirqd/*", "--comm", "swapper", "--out", out)
	r := perfJSONOf(t, args)
	p, err := calibration.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m, err := cni.Builtin("flannel")
	if err != nil {
		t.Fatal(err)
	}
	x, err := m.NodeCrossings("vxlan", datapath.Inter, cni.PathOptions{}, datapath.Dst)
	if err != nil {
		t.Fatal(err)
	}
	if x.Data[datapath.FIB] != 2 || x.Ack[datapath.FIB] != 2 {
		t.Fatalf("flannel vxlan receiver crosses fib %v/%v times; this test wants counts != 1", x.Data[datapath.FIB], x.Ack[datapath.FIB])
	}
	if p.Name != "node1" || p.GHz != 2.1 || r.Acks != A || r.Bytes != B || r.Packets != D || math.Abs(r.AcksPerPacket-float64(A)/D) > 1e-12 {
		t.Errorf("profile %q at %g GHz, json %+v", p.Name, p.GHz, r)
	}
	rates := datapath.Rates{Acks: float64(A) / D, Writes: 1, Reads: 5000.0 / D, Wakeups: 4000.0 / D}
	pred := 0.0
	for _, e := range p.Costs {
		k, _ := datapath.ParseKind(e.Stage)
		if e.Plugin != "flannel" || e.Mode != "vxlan" || e.Placement != "inter" || e.Provenance != calibration.Derived ||
			!strings.Contains(e.Source, "perf III.1") || !strings.Contains(e.Source, "20773 data packets") && e.CyclesPerByte == 0 {
			t.Errorf("entry %+v", e)
		}
		if x.At(k, rates) == 0 {
			t.Errorf("entry for %s, which the receiver does not cross", e.Stage)
		}
		js := r.Stages[e.Stage]
		if js.Cycles != e.Cycles || js.CyclesPerByte != e.CyclesPerByte || js.DataCrossings != x.Data[k] || js.AckCrossings != x.Ack[k] {
			t.Errorf("%s: json %+v, profile %+v", e.Stage, js, e)
		}
		pred += e.Cycles*x.At(k, rates) + e.CyclesPerByte*((float64(B)/D+datapath.TCPIPOverhead)*x.Data[k]+datapath.TCPIPOverhead*float64(A)/D*x.Ack[k])
	}
	if c := p.Costs; len(c) == 0 {
		t.Fatal("no entries")
	}
	if sc := r.Stages["socket_copy"]; sc.CyclesPerByte <= 0 || sc.Cycles != 0 {
		t.Errorf("socket_copy %+v: want a per-byte cost", sc)
	}
	if math.Abs(pred-r.CPPTotal) > 1e-9*r.CPPTotal || math.Abs(r.PredictedCPP-r.CPPTotal) > 1e-9*r.CPPTotal {
		t.Errorf("profile charges %v (json predicted %v) per data packet, measured %v", pred, r.PredictedCPP, r.CPPTotal)
	}
}

// Without a configuration the entries are generic, one crossing per data
// packet; stages the configuration does not cross are folded with a
// warning naming them.
func TestCalibratePerfOutGenericAndFolded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	generic := filepath.Join(dir, "generic.toml")
	r := perfJSONOf(t, perfArgs(perfFixtures+"bridge.script.gz", "6464", "--out", generic))
	p, err := calibration.LoadFile(generic)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, e := range p.Costs {
		if e.Plugin != "" || e.Placement != "" || e.Cycles < r.Stages[e.Stage].CPP {
			t.Errorf("generic entry %+v, want at least the CPP %g (plus the spread)", e, r.Stages[e.Stage].CPP)
		}
		sum += e.Cycles
	}
	if math.Abs(sum-r.CPPTotal) > 1e-9*r.CPPTotal {
		t.Errorf("generic entries sum to %v, busy cycles per packet %v", sum, r.CPPTotal)
	}
	// Cilium's intra-host path has no bridge and no netfilter step.
	cil := filepath.Join(dir, "cilium.toml")
	code, _, stderr := invoke(perfArgs(perfFixtures+"bridge.script.gz", "6464", "--plugin", "cilium", "--placement", "intra", "--out", cil)...)
	if code != 0 || !strings.Contains(stderr, "does not cross bridge (") || !strings.Contains(stderr, "netfilter (") || !strings.Contains(stderr, "folded") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	p, err = calibration.LoadFile(cil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range p.Costs {
		if e.Stage == "bridge" || e.Stage == "netfilter" || e.Mode != "vxlan" {
			t.Errorf("entry %+v: want no bridge/netfilter, mode = cilium's default vxlan", e)
		}
	}
}

func TestCalibratePerfBadInput(t *testing.T) {
	dir := t.TempDir()
	binary := filepath.Join(dir, "perf.data")
	empty := filepath.Join(dir, "empty.script")
	badMap := filepath.Join(dir, "map.toml")
	noPeriod := filepath.Join(dir, "noperiod.script")
	noEvent := filepath.Join(dir, "noevent.script")
	for file, data := range map[string]string{binary: "PERFILE2\x00\x00\x01", empty: "", badMap: "[[rule]]\npattern = \"x*\"\nstage = \"warp\"\n",
		noPeriod: "sender 7 [000] 1.0: cpu-clock: ffffffff81a00020 veth_xmit ([kernel.kallsyms])\n",
		noEvent:  "sender 7 [000] ffffffff81a00020 veth_xmit ([kernel.kallsyms])\n"} {
		if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fix := perfFixtures + "bridge.script.gz"
	cases := []struct {
		args     []string
		inStderr string
	}{
		{[]string{"calibrate", "perf", "--packets", "10", "--cpu-ghz", "2"}, "missing --script"},
		{[]string{"calibrate", "perf", "--script", fix, "--cpu-ghz", "2"}, "missing --packets"},
		{perfArgs(fix, "0"), "--packets must be > 0"},
		{perfArgs(fix, "-5"), "--packets must be > 0"},
		{perfArgs(fix, "ten"), `invalid argument "ten" for "--packets"`},
		{[]string{"calibrate", "perf", "--script", fix, "--packets", "10"}, "missing --cpu-ghz"},
		{[]string{"calibrate", "perf", "--script", fix, "--packets", "10", "--cpu-ghz", "-2.4"}, "--cpu-ghz must be a finite number > 0, got -2.4"},
		{[]string{"calibrate", "perf", "--script", fix, "--packets", "10", "--cpu-ghz", "NaN"}, "--cpu-ghz must be"},
		{perfArgs(fix, "10", "--event", "instructions"), `--event: unknown event "instructions" (valid: cycles, cpu-clock)`},
		{perfArgs(fix, "10", "--format", "xml"), `--format: unknown format "xml"`},
		{perfArgs(fix, "10", "--cpus", "0-x"), "--cpus: bad CPU"},
		{perfArgs(fix, "10", "--map", filepath.Join(dir, "nomap.toml")), "--map: perf map"},
		{perfArgs(fix, "10", "--map", badMap), "map.toml"},
		{perfArgs(fix, "10", "--event", "cycles"), `no samples of event "cycles"`},
		{perfArgs(binary, "10"), "perf.data: binary perf.data file"},
		{perfArgs(empty, "10"), "empty.script: empty file"},
		{perfArgs(filepath.Join(dir, "missing.script"), "10"), "missing.script"},
		{perfArgs(fix, "10", "--mode", "vxlan"), "--mode, --placement and --node need --plugin"},
		{perfArgs(fix, "10", "--plugin", "flannel"), "--placement: want intra or inter"},
		{perfArgs(fix, "10", "--plugin", "flannel", "--placement", "sideways"), `got "sideways"`},
		{perfArgs(fix, "10", "--plugin", "nosuch", "--placement", "intra"), `--plugin: plugin "nosuch"`},
		{perfArgs(fix, "10", "--plugin", "flannel", "--mode", "warp", "--placement", "intra"), "--mode:"},
		{perfArgs(fix, "10", "--plugin", "flannel", "--placement", "inter", "--node", "middle"), `--node: want src or dst, got "middle"`},
		{perfArgs(fix, "10", "--plugin", "flannel", "--placement", "intra", "--node", "src"), "--node applies to --placement inter"},
		{perfArgs(fix, "10", "--bytes", "-1"), "--bytes must be >= 0"},
		{perfArgs(fix, "10", "--acks", "-3"), "--acks must be >= 0"},
		{perfArgs(fix, "10", "--wakeups", "5", "--writer-wakeups", "6"), "--writer-wakeups must be >= 0 and at most --wakeups"},
		{perfArgs(fix, "10", "--writer-wakeups", "-1"), "--writer-wakeups must be >= 0"},
		{perfArgs(fix, "10", "--period", "0"), "--period must be > 0"},
		{perfArgs(fix, "10", "--freq", "-5"), "--freq must be"},
		{perfArgs(fix, "10", "--period", "5", "--freq", "1000"), "--period and --freq exclude each other"},
		{perfArgs(fix, "10", "--freq", "1000", "--event", "cycles"), "--freq gives a fixed period for cpu-clock only"},
		{perfArgs(fix, "10", "--comm", "[x"), `--comm: bad name or pattern "[x"`},
		{perfArgs(fix, "10", "--pid", "-4"), "--pid must be >= 0"},
		{perfArgs(fix, "10", "--pid", "x"), `invalid argument "x" for "--pid"`},
		{perfArgs(fix, "10", "--comm", "nosuchcommand"), "no samples"},
		{perfArgs(dir, "10"), "is a directory"},
		{perfArgs(noPeriod, "10"), "noperiod.script:1: the sample carries no period: give --period P"},
		{perfArgs(noEvent, "10", "--period", "1000"), "noevent.script:1: the sample names no event: give --event"},
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
	code, _, stderr := invoke(perfArgs(fix, "10", "--out", filepath.Join(dir, "nodir", "p.toml"))...)
	if code != 2 || !strings.Contains(stderr, "does not exist") {
		t.Errorf("--out in a missing directory: exit %d, %q", code, stderr)
	}
	assertOnlyFiles(t, dir, "empty.script", "map.toml", "noevent.script", "noperiod.script", "perf.data")
}

// assertOnlyFiles fails if dir holds anything but names (no stray
// temporary or output files).
func assertOnlyFiles(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, names) {
		t.Errorf("%s holds %v, want %v", dir, got, names)
	}
}

// Round trip through the CLI on a real model's crossings: a script whose
// stages carry c_k x (D x Data[k] + A x Ack[k]), or cpb_k x the IP bytes
// of every crossing ((B + 52 D) x Data[k] + 52 A x Ack[k]),
// cycles (one sample per stage, the count in its period) for the Flannel
// VXLAN receiver; calibrate perf with --plugin, --acks and --bytes must
// give back every c_k and cpb_k, and the profile the cycles per packet.
func TestCalibratePerfRoundTripCLI(t *testing.T) {
	t.Parallel()
	const D, A, B = 50_000, 700, 50_000 * 1448
	m, err := cni.Builtin("flannel")
	if err != nil {
		t.Fatal(err)
	}
	x, err := m.NodeCrossings("vxlan", datapath.Inter, cni.PathOptions{}, datapath.Dst)
	if err != nil {
		t.Fatal(err)
	}
	leaf := map[datapath.Kind]string{datapath.Veth: "veth_xmit", datapath.Bridge: "br_forward", datapath.FIB: "fib_table_lookup",
		datapath.IPForward: "ip_forward", datapath.Netfilter: "ipt_do_table", datapath.VXLAN: "vxlan_rcv",
		datapath.TCP: "tcp_ack", datapath.SocketCopy: "_copy_to_iter", datapath.NIC: "virtnet_poll",
		datapath.Netdev: "__netif_receive_skb_core", datapath.IPRcv: "ip_rcv", datapath.Neigh: "neigh_resolve_output",
		datapath.Skb: "__alloc_skb", datapath.SoftirqEntry: "net_rx_action", datapath.Sched: "try_to_wake_up",
		datapath.Syscall: "do_syscall_64", datapath.BrNetfilter: "br_nf_pre_routing"}
	cost := map[datapath.Kind]float64{}
	var script strings.Builder
	total := 0.0
	for i, k := range datapath.Kinds() {
		if x.Data[k]+x.Ack[k] == 0 {
			continue
		}
		sym, ok := leaf[k]
		if !ok {
			t.Fatalf("no symbol for %s, which the graph crosses", k)
		}
		var cyc float64
		if k == datapath.SocketCopy {
			cost[k] = 0.25 * float64(i+1) // per byte
			cyc = cost[k] * ((B+datapath.TCPIPOverhead*D)*x.Data[k] + datapath.TCPIPOverhead*A*x.Ack[k])
		} else {
			cost[k] = 100 * float64(i+1)
			cyc = cost[k] * (D*x.Data[k] + A*x.Ack[k])
		}
		total += cyc
		fmt.Fprintf(&script, "sender 7 [000] 1.%06d: %.0f cycles:\n\tffffffff81a00000 %s ([kernel.kallsyms])\n\n", i, cyc, sym)
	}
	file := filepath.Join(t.TempDir(), "rt.script")
	if err := os.WriteFile(file, []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "rt.toml")
	r := perfJSONOf(t, []string{"calibrate", "perf", "--script", file, "--packets", fmt.Sprint(D), "--cpu-ghz", "2.4",
		"--acks", fmt.Sprint(A), "--bytes", fmt.Sprint(B), "--plugin", "flannel", "--placement", "inter", "--out", out})
	p, err := calibration.LoadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range cost {
		c, cpb, ok := p.Cost(k, "flannel", "vxlan", datapath.Inter)
		got := c
		if k == datapath.SocketCopy {
			got = cpb
		}
		if !ok || math.Abs(got-want) > 1e-9*want {
			t.Errorf("%s: %v cycles %v per byte, want %v", k, c, cpb, want)
		}
	}
	if math.Abs(r.CPPTotal-total/D) > 1e-9*r.CPPTotal || math.Abs(r.PredictedCPP-r.CPPTotal) > 0.005*r.CPPTotal {
		t.Errorf("cpp_total %v predicted %v, want %v", r.CPPTotal, r.PredictedCPP, total/D)
	}
}
