package cni

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// The paper's testbed reached the ~9.4 Gbit/s class on 10 GbE for the light
// datapaths (III.A, III.C), and the simulator charges per-packet costs
// without offload aggregation, so the busiest core of a native-routing path
// must sustain 10 GbE's 812,744 frames/s at MTU 1500 (10e9/8/1538) to within
// a few percent: F / (cycles per packet on the receiver's softirq core) >=
// 0.8 Mpps. Overlays and large iptables chains are allowed to be CPU-bound.
func TestLightPathsReachLineRate(t *testing.T) {
	p := loadPaper(t)
	light := []variant{
		{"host", "host", "host", np},
		{"flannel host-gw", "flannel", "host-gw", np},
		{"cilium native", "cilium", "native", np},
		{"calico-np native", "calico", "native", np},
		{"kube-router native", "kube-router", "native", np},
	}
	for _, v := range light {
		rx, tx := coreLoads(t, p, v)
		if pps := p.CPUGHz() * 1e9 / rx; pps < 0.8e6 {
			t.Errorf("%s: receiver softirq core %g cycles/packet -> %.3f Mpps < 0.8", v.label, rx, pps/1e6)
		}
		if pps := p.CPUGHz() * 1e9 / tx; pps < 0.78e6 {
			t.Errorf("%s: sender core %g cycles/packet -> %.3f Mpps < 0.78", v.label, tx, pps/1e6)
		}
	}
	// Overlays cost the receiver more than their native counterparts.
	pairs := [][2]variant{
		{{"flannel vxlan", "flannel", "vxlan", np}, {"flannel host-gw", "flannel", "host-gw", np}},
		{{"calico ipip", "calico", "ipip", np}, {"calico native", "calico", "native", np}},
		{{"cilium vxlan", "cilium", "vxlan", np}, {"cilium native", "cilium", "native", np}},
		{{"kube-router ipip", "kube-router", "ipip", np}, {"kube-router native", "kube-router", "native", np}},
	}
	for _, pr := range pairs {
		o, _ := coreLoads(t, p, pr[0])
		n, _ := coreLoads(t, p, pr[1])
		if o <= n {
			t.Errorf("%s receiver core %g <= %s %g", pr[0].label, o, pr[1].label, n)
		}
	}
}

// coreLoads returns the cycles per full-sized packet on the receiver's
// softirq core and on the sender's application core, at underlay MTU 1500.
func coreLoads(t testing.TB, p *testProfile, v variant) (rx, tx float64) {
	t.Helper()
	m := builtin(t, v.plugin)
	mtu, err := m.PodMTU(v.mode, 1500, v.opt)
	if err != nil {
		t.Fatal(err)
	}
	cp, err := m.Path(v.mode, datapath.Inter, v.opt, p)
	if err != nil {
		t.Fatal(err)
	}
	mss := datapath.MSS(mtu)
	return cp.CyclesOn(datapath.Dst, datapath.Softirq, mss), cp.CyclesOn(datapath.Src, datapath.Send, mss)
}

// Printed with -v: cycles per packet on every (node, context) core and the
// packet rate that core sustains, for every built-in mode (the report's
// per-core budget table).
func TestPrintCoreBudget(t *testing.T) {
	if !testing.Verbose() {
		t.Skip("-v prints the table")
	}
	p := loadPaper(t)
	t.Logf("%-22s %5s %5s | %6s %6s %6s | %6s %6s %6s | %s", "plugin/mode", "mtu", "mss",
		"src.snd", "src.dmn", "dst.sirq", "dst.dmn", "dst.rcv", "bottleneck", "Mpps")
	for _, v := range allModes(t) {
		for _, opt := range []PathOptions{np, wp} {
			m := builtin(t, v.plugin)
			md, _ := m.Mode(v.mode)
			if opt.Policy && md.Policy != PolicyToggle {
				continue
			}
			label := v.label
			if opt.Policy {
				label += "+policy"
			}
			mtu, _ := m.PodMTU(v.mode, 1500, opt)
			cp, err := m.Path(v.mode, datapath.Inter, opt, p)
			if err != nil {
				t.Fatal(err)
			}
			mss := datapath.MSS(mtu)
			loads := []float64{
				cp.CyclesOn(datapath.Src, datapath.Send, mss) + cp.CyclesOn(datapath.Src, datapath.Softirq, mss),
				cp.CyclesOn(datapath.Src, datapath.Daemon, mss),
				cp.CyclesOn(datapath.Dst, datapath.Softirq, mss),
				cp.CyclesOn(datapath.Dst, datapath.Daemon, mss),
				cp.CyclesOn(datapath.Dst, datapath.Recv, mss),
			}
			worst := 0.0
			for _, l := range loads {
				worst = max(worst, l)
			}
			t.Logf("%-22s %5d %5d | %6.0f %6.0f %6.0f | %6.0f %6.0f %6.0f | %.3f", label, mtu, mss,
				loads[0], loads[1], loads[2], loads[3], loads[4], worst, p.CPUGHz()*1e3/worst)
		}
	}
}
