package testbed

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
)

// The GRO fixtures are perf script text of CPU 0 recorded beside `cnisim
// testbed gro run` on this VM (kernel 6.18.44): gro-script-plain.txt 80
// samples of the plain stream with the call chains hidden (-G, as
// groScript asks), gro-script-vxlan.txt 30 samples of the VXLAN stream
// with them shown. The expected counts were taken with awk, apart from
// the parser: the leaf is the header's 8th field (-G) or the first
// frame's 2nd, counted against gro-frame.sh's lists.
func TestParseGROScript(t *testing.T) {
	read := func(f string) string {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	const hdr = "      cnisim 7 [000]   1.000000:     100000 cpu-clock:  "
	for _, c := range []struct {
		name, text       string
		cpu              int
		samples, idle    int64
		ring, gro, freed int64
		sym              string // one symbol's count to check
		symN             int64
	}{
		{"plain -G", read("gro-script-plain.txt"), 0, 80, 0, 2, 9, 4, "inet_gro_receive", 3},
		{"vxlan call chains", read("gro-script-vxlan.txt"), 0, 30, 0, 1, 4, 0, "tcp_gro_receive", 2},
		{"other CPU not counted", read("gro-script-plain.txt"), 1, 0, 0, 0, 0, 0, "inet_gro_receive", 0},
		{"idle, offsets, comm with spaces", hdr + "ffffffff81 pv_native_safe_halt ([kernel.kallsyms])\n" +
			strings.Replace(hdr, "cnisim", "swapper", 1) + "ffffffff81 pv_native_safe_halt+0x1f ([kernel.kallsyms])\n" +
			strings.Replace(hdr, "cnisim", "Web Content", 1) + "ffffffff81 veth_poll+0x10 ([kernel.kallsyms])\n" +
			"swapper     0 [000] 2.0: 100000 cpu-clock: \n\tffffffff81 napi_skb_cache_put ([kernel.kallsyms])\n\tffffffff82 veth_poll ([kernel.kallsyms])\n\n" +
			"x 1 [001] 2.0: 100000 cpu-clock: \n\tffffffff81 napi_gro_receive ([kernel.kallsyms])\n",
			0, 4, 2, 1, 0, 1, "veth_poll", 1},
		{"a frame without its sample", "\tffffffff81 veth_poll ([kernel.kallsyms])\n", 0, 0, 0, 0, 0, 0, "veth_poll", 0},
	} {
		n, err := ParseFrameScript(strings.NewReader(c.text), c.cpu, GROBench)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if n.Samples != c.samples || n.Idle != c.idle || n.Groups["ring"] != c.ring || n.Groups["gro"] != c.gro || n.Groups["freed"] != c.freed || n.Symbols[c.sym] != c.symN {
			t.Errorf("%s: %+v, want %d samples (%d idle), groups %d/%d/%d, %s %d", c.name, n, c.samples, c.idle, c.ring, c.gro, c.freed, c.sym, c.symN)
		}
	}
	if _, err := ParseFrameScript(strings.NewReader(hdr+"ffffffff81 veth_poll (k)\nnot a header\n"), 0, GROBench); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a stray line: %v, want an error naming line 2", err)
	}
}

// gso-script.txt is 60 samples of CPU 0 (call chains shown) recorded
// beside `cnisim testbed gso run` on this VM (kernel 6.18.44): 12 of them
// have __skb_gso_segment on their stack (counted with awk, apart from the
// parser), none is idle. A sample counts once however many of the group's
// symbols its stack holds, and the first found from the leaf up names it;
// a GSO symbol as the leaf counts as on the stack.
func TestParseGSOScript(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "gso-script.txt"))
	if err != nil {
		t.Fatal(err)
	}
	const hdr = "iperf3 9 [000] 1.0: 100000 cpu-clock: \n"
	for _, c := range []struct {
		name, text   string
		samples, gso int64
		sym          string
		symN         int64
	}{
		{"recorded", string(b), 60, 12, "__skb_gso_segment", 12},
		{"both symbols, once", hdr + "\tff memcpy (k)\n\tff skb_segment (k)\n\tff __skb_gso_segment+0x3 (k)\n\tff skb_gso_segment (k)\n", 1, 1, "__skb_gso_segment", 1},
		{"the leaf", hdr + "\tff skb_gso_segment (k)\n\tff validate_xmit_skb (k)\n" + hdr + "\tff tcp_sendmsg (k)\n", 2, 1, "skb_gso_segment", 1},
		{"-G: only the leaf", "x 1 [000] 1.0: 100000 cpu-clock: ff __skb_gso_segment+0x1 (k)\nx 1 [000] 1.0: 100000 cpu-clock: ff memcpy (k)\n", 2, 1, "__skb_gso_segment", 1},
	} {
		n, err := ParseFrameScript(strings.NewReader(c.text), 0, GSOBench)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if n.Samples != c.samples || n.Groups["gso"] != c.gso || len(n.Groups) != 1 || n.Symbols[c.sym] != c.symN {
			t.Errorf("%s: %+v, want %d samples, gso %d, %s %d", c.name, n, c.samples, c.gso, c.sym, c.symN)
		}
	}
	// the GRO benchmark counts leaves: the same text has none of its
	// symbols at the leaf of a GSO sample
	if n, _ := ParseFrameScript(strings.NewReader(string(b)), 0, GROBench); n.Samples != 60 || n.Groups["gro"] != 0 {
		t.Errorf("GRO attribution of the GSO text: %+v", n)
	}
}

// FuzzParseFrameScript: any text is counted or refused with an error
// naming a line, never a panic, by either benchmark's attribution; the
// groups never hold more than the samples and are the sum of their
// symbols.
func FuzzParseFrameScript(f *testing.F) {
	for _, file := range []string{"testdata/gro-script-plain.txt", "testdata/gro-script-vxlan.txt"} {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("a 1 [000] 1.0: 1 cpu-clock: 1 veth_poll+0x1 (k)\n\t\n\tx\n"))
	f.Add([]byte("a 1 [000] 1.0: 1 cpu-clock: \n\tffff memcpy (k)\n\tffff skb_segment (k)\n\tffff __skb_gso_segment+0x2 (k)\n\tffff skb_gso_segment (k)\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, bench := range []*FrameBench{GROBench, GSOBench} {
			n, err := ParseFrameScript(strings.NewReader(string(b)), 0, bench)
			if err != nil {
				if !strings.HasPrefix(err.Error(), "line ") && !strings.Contains(err.Error(), "token too long") {
					t.Fatalf("%s: error without a line: %v", bench.Name, err)
				}
				return
			}
			var groups, syms int64
			for _, v := range n.Groups {
				groups += v
			}
			for _, v := range n.Symbols {
				syms += v
			}
			if groups != syms || groups > n.Samples || n.Idle > n.Samples || len(n.Groups) != len(bench.Groups) {
				t.Fatalf("%s: %+v", bench.Name, n)
			}
		}
	})
}

// synthGRO is a run at 2 GHz with a 100 us period and 1e6 frames per
// window (so a sample is 0.2 cycles per frame): rep i's plain window
// costs plain[i] cycles per frame and its VXLAN window vx[i], split
// 1:2:1 over the groups.
func synthGRO(plain, vx []float64) *FrameRun {
	r := &FrameRun{Command: "synthetic", Date: "2026-12-05T00:00:00Z", Kernel: "k", CPUModel: "cpu", CPUGHz: 2, GHzFrom: "test",
		CPU: 0, ReceiverCPU: 1, Reps: len(plain), Tunnels: []string{"none", "vxlan"}, DurS: 10, WarmupS: 1, Loadavg: "1 1 1", LoadavgEnd: "2 2 2"}
	win := func(rep int, tun string, cpf float64) FrameWindow {
		s := int64(math.Round(cpf / 0.2))
		return FrameWindow{Rep: rep, Tunnel: tun, Frames: 1e6, PeriodNS: 100000, WindowS: 10,
			FrameCount: FrameCount{Samples: 100000, Groups: map[string]int64{"ring": s / 4, "gro": s / 2, "freed": s - s/4 - s/2}}}
	}
	for i := range plain {
		r.Windows = append(r.Windows, win(i+1, "none", plain[i]), win(i+1, "vxlan", vx[i]))
	}
	return r
}

// Device "" is the plain windows' median; vxlan's is the median of the
// paired differences (200, 300, 250, 150, 400: 250), not the difference of
// the medians (1000 - 500 = 500).
func TestGROLayer(t *testing.T) {
	r := synthGRO([]float64{400, 500, 600, 550, 450}, []float64{600, 800, 850, 700, 850})
	p, err := FrameLayer(r, "gro-test", 2.4)
	if err != nil {
		t.Fatal(err)
	}
	if p.GHz != 2.4 || len(p.Costs) != 0 || len(p.GROFrames) != 2 {
		t.Fatalf("profile %+v", p)
	}
	if c, ok := p.GROFrameCycles(""); !ok || c != 500 {
		t.Errorf("every frame: %v %v, want 500", c, ok)
	}
	if c, ok := p.GROFrameCycles("vxlan"); !ok || c != 250 {
		t.Errorf("vxlan: %v %v, want 250 (median of the paired differences)", c, ok)
	}
	for _, g := range p.GROFrames {
		if g.Provenance != calibration.Measured || !strings.Contains(g.Source, `"synthetic"`) || !strings.Contains(g.Source, "veth_xdp_rcv_skb") ||
			!strings.Contains(g.Source, "load average 1 1 1 at the start and 2 2 2 at the end") {
			t.Errorf("%s: source lacks the command, the symbols or the load: %s", g, g.Source)
		}
	}
	if s := p.GROFrames[0].Source; !strings.Contains(s, "per rep 400, 500, 600, 550, 450 cycles per frame, median 500") || !strings.Contains(s, "lower bound") ||
		!strings.Contains(s, "veth ring consumer 125, GRO callbacks and merge 250, merged heads freed 125") {
		t.Errorf("every frame's source lacks the reps, the groups or the NIC caveat: %s", s)
	}
	if s := p.GROFrames[1].Source; !strings.Contains(s, "differences 200, 300, 250, 150, 400, median 250") {
		t.Errorf("vxlan's source lacks the differences: %s", s)
	}
	// layered over paper: the gro_frame entries come in, paper's costs and
	// clock stay
	paper, err := calibration.Builtin("paper")
	if err != nil {
		t.Fatal(err)
	}
	m := calibration.Layer(paper, p)
	if len(m.Costs) != len(paper.Costs) || m.GHz != paper.GHz || len(m.GROFrames) != 2 {
		t.Errorf("layered: %d costs (paper %d), %g GHz, %d gro_frame", len(m.Costs), len(paper.Costs), m.GHz, len(m.GROFrames))
	}
	back, err := calibration.Parse(mustTOML(t, p), "layer.toml")
	if err != nil || len(back.GROFrames) != 2 || len(back.Costs) != 0 {
		t.Errorf("the layer does not parse back: %v", err)
	}
	if _, err := FrameLayer(synthGRO([]float64{500, 500, 500}, []float64{400, 450, 600}), "x", 0); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("a negative median difference: %v, want an error", err)
	}
}

// synthGSO is synthGRO's run as the GSO benchmark's: one group, every
// sample in it.
func synthGSO(plain, vx []float64) *FrameRun {
	r := synthGRO(plain, vx)
	r.Kind = "gso"
	for i := range r.Windows {
		g := r.Windows[i].Groups
		r.Windows[i].Groups = map[string]int64{"gso": g["ring"] + g["gro"] + g["freed"]}
	}
	return r
}

// A GSO run makes [[gso_segment]] entries by the same medians, its own
// method in their sources, and no [[gro_frame]]; a run file says its
// kind, and a loader for the other benchmark refuses it.
func TestGSOLayer(t *testing.T) {
	r := synthGSO([]float64{400, 500, 600, 550, 450}, []float64{600, 800, 850, 700, 850})
	p, err := FrameLayer(r, "gso-test", 2.4)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.GROFrames) != 0 || len(p.GSOSegments) != 2 {
		t.Fatalf("profile %+v", p)
	}
	if c, ok := p.GSOSegmentCycles(""); !ok || c != 500 {
		t.Errorf("every segment: %v %v, want 500", c, ok)
	}
	if c, ok := p.GSOSegmentCycles("vxlan"); !ok || c != 250 {
		t.Errorf("vxlan: %v %v, want 250 (median of the paired differences)", c, ok)
	}
	if s := p.GSOSegments[0].Source; !strings.Contains(s, "cnisim testbed gso") || !strings.Contains(s, "__skb_gso_segment") ||
		!strings.Contains(s, "per rep 400, 500, 600, 550, 450 cycles per segment, median 500") || !strings.Contains(s, "TSO") {
		t.Errorf("every segment's source: %s", s)
	}
	if s := p.GSOSegments[1].Source; !strings.Contains(s, "differences 200, 300, 250, 150, 400, median 250") || !strings.Contains(s, "paired plain segments") {
		t.Errorf("vxlan's source: %s", s)
	}
	dir := t.TempDir()
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	if back, err := LoadFrames(dir, GSOBench); err != nil || back.Kind != "gso" || !reflect.DeepEqual(back, r) {
		t.Errorf("round trip: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, GROBench.File)); err == nil {
		t.Error("a GSO run wrote gro.json")
	}
	if err := os.Rename(filepath.Join(dir, GSOBench.File), filepath.Join(dir, GROBench.File)); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFrames(dir, GROBench); err == nil || !strings.Contains(err.Error(), `kind "gso", want gro`) {
		t.Errorf("a GSO run as gro.json: %v, want a kind error", err)
	}
	r.Kind = "lro"
	if _, err := FrameLayer(r, "x", 0); err == nil || !strings.Contains(err.Error(), `kind "lro" (allowed: gro, gso)`) {
		t.Errorf("an unknown kind: %v", err)
	}
	r.Kind = "gso"
	r.Windows[0].Groups = map[string]int64{"ring": 1, "gro": 1, "freed": 1}
	if _, err := FrameLayer(r, "x", 0); err == nil || !strings.Contains(err.Error(), "groups.gso missing") {
		t.Errorf("GRO's groups in a GSO run: %v", err)
	}
}

func mustTOML(t *testing.T, p *calibration.Profile) []byte {
	t.Helper()
	b, err := p.TOML()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseGROTunnels(t *testing.T) {
	for _, c := range []struct{ in, want, err string }{
		{"none,vxlan", "none,vxlan", ""},
		{"vxlan, none", "none,vxlan", ""},
		{"none", "none", ""},
		{"vxlan", "", "must include none"},
		{"none,geneve", "", `unknown tunnel "geneve" (allowed: none, vxlan, gre, ipip)`},
		{"none,none", "", "given twice"},
	} {
		got, err := ParseFrameTunnels(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != c.want {
			t.Errorf("%q: %v %v, want %s", c.in, got, err, c.want)
		}
	}
}

func TestLoadGROErrors(t *testing.T) {
	dir := t.TempDir()
	r := synthGRO([]float64{400, 500}, []float64{600, 800})
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	if back, err := LoadFrames(dir, GROBench); err != nil || len(back.Windows) != 4 {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, GROBench.File+".tmp")); err == nil {
		t.Error("Save left its temporary file")
	}
	good, _ := json.Marshal(r)
	edit := func(f func(*FrameRun)) string {
		var q FrameRun
		_ = json.Unmarshal(good, &q)
		f(&q)
		b, _ := json.Marshal(&q)
		return string(b)
	}
	for _, c := range []struct{ body, want string }{
		{`{"cpu_ghz": 0}`, "cpu_ghz must be > 0"},
		{edit(func(q *FrameRun) { q.Tunnels = []string{"vxlan", "none"} }), "tunnels start with none"},
		{edit(func(q *FrameRun) { q.Windows = q.Windows[:3] }), "3 windows, want reps x tunnels = 4"},
		{edit(func(q *FrameRun) { q.Windows[1].Frames = 0 }), "frames, period_ns and samples must be > 0"},
		{edit(func(q *FrameRun) { delete(q.Windows[2].Groups, "gro") }), "groups.gro missing"},
		{edit(func(q *FrameRun) { q.Windows[3].Rep = 1 }), "no window of rep 2, tunnel vxlan"},
		{`{"cpu_ghz": `, "unexpected end"},
	} {
		if err := os.WriteFile(filepath.Join(dir, GROBench.File), []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadFrames(dir, GROBench)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), GROBench.File) {
			t.Errorf("%.60s: %v, want %q naming the file", c.body, err, c.want)
		}
	}
}

// FuzzParseFrames: ParseFrames never panics and names the file in its
// errors; what it accepts survives a write and re-read unchanged, and the
// layer made from it is either refused with an error or a valid profile.
func FuzzParseFrames(f *testing.F) {
	for _, file := range []string{"testdata/gro-run1/gro.json", "testdata/gso-run1/gso.json"} {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"cpu_ghz":2,"reps":1,"tunnels":["none"],"windows":[{"rep":1,"tunnel":"none","frames":10,"period_ns":100000,"samples":5,"groups":{"ring":1,"gro":1,"freed":1}}]}`))
	f.Add([]byte(`{"cpu_ghz":2,"reps":1,"tunnels":["none","none"],"windows":[]}`))
	f.Add([]byte(`{"kind":"gso","cpu_ghz":2,"reps":1,"tunnels":["none"],"windows":[{"rep":1,"tunnel":"none","frames":10,"period_ns":100000,"samples":5,"groups":{"gso":2}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseFrames("g.json", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "g.json: ") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		r2, err := ParseFrames("again.json", again)
		if err != nil {
			t.Fatalf("cannot re-read what was accepted: %v", err)
		}
		if !reflect.DeepEqual(r, r2) {
			t.Fatalf("round trip changed the run:\n%+v\n%+v", r, r2)
		}
		if p, err := FrameLayer(r, "fuzz", 2.4); err == nil {
			if err := p.Validate(); err != nil {
				t.Fatalf("FrameLayer made an invalid profile: %v", err)
			}
		}
	})
}
