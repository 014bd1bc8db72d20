package simulate_test

// The built-in "paper" profile through the simulation: short netperf-like
// runs of every configuration of the CNI paper (seeds/003, III.A-C) whose
// virtual perf (cpp_by_stage: cycles on the measured node per data packet,
// the ACKs it sent included, formula III.1) must give the paper's quoted
// per-stage CPP, and whose throughput and latency must keep the orderings
// of Fig. 3 and Fig. 6.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/simulate"
	"github.com/cnisim/cnisim/internal/golden"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
)

// paperCase is one configuration of the paper (the one table,
// cni.PaperConfigs): Calico's wp/np is the policy toggle, the paper's
// "xsub" is mode native; mode "" is the plugin's default (the paper's).
type paperCase = cni.PaperConfig

// paperConfig is the configuration of that label in the paper.
func paperConfig(pl datapath.Placement, label string) paperCase {
	c, err := cni.PaperConfigNamed(pl, label)
	if err != nil {
		panic(err)
	}
	return c
}

var (
	pFlannel  = paperConfig(datapath.Intra, "Flannel")
	pWeave    = paperConfig(datapath.Intra, "Weave")
	pCilium   = paperConfig(datapath.Intra, "Cilium")
	pKubeR    = paperConfig(datapath.Intra, "Kube-router")
	pCalicoNP = paperConfig(datapath.Intra, "Calico-np")
	pCalicoWP = paperConfig(datapath.Intra, "Calico-wp")
	pCaliWPip = paperConfig(datapath.Inter, "Cali-wp-ipip")
	pCaliNPxs = paperConfig(datapath.Inter, "Cali-np-xsub")

	// III.B and III.C: the plugins of Fig. 3-6.
	paperIntra = cni.PaperConfigs(datapath.Intra)
	paperInter = cni.PaperConfigs(datapath.Inter)
	// III.C: the native routing solutions and the overlays.
	paperNative, paperOverlays = splitNative(paperInter)
)

func splitNative(cs []paperCase) (native, overlay []paperCase) {
	for _, c := range cs {
		n, err := c.Native()
		if err != nil {
			panic(err)
		}
		if n {
			native = append(native, c)
		} else {
			overlay = append(overlay, c)
		}
	}
	return native, overlay
}

// paperScenario is a short netperf run on the paper's testbed (III.A, the
// scenario defaults): 300 ms with 100 ms of warm-up, one replication.
//
// The receive buffer is 2 MiB (a 1 MiB window) instead of Linux's 6 MiB
// autotuning limit: models/tcp recovers from a burst of receive-ring drops
// with NewReno only (no SACK/RACK), so when a CPU-bound receiver's
// 1000-packet ring overflows in slow start, the fast retransmission lands
// in the still-full ring and only the 200 ms minimum RTO recovers: a stall
// of two thirds of a 300 ms run. A 1 MiB window (< 1000 segments) keeps
// the ring from overflowing, so these runs measure the datapath; the BDP of
// 10 GbE at tens of microseconds is far below it, so throughput is
// unaffected. TestPaperRunsClean checks that no run drops or retransmits.
func paperScenario(c paperCase, pl datapath.Placement, kind string, mtu int) *scenario.Scenario {
	sc := scenario.Defaults()
	sc.Replications = 1
	sc.Duration = 300 * time.Millisecond
	sc.Warmup = 100 * time.Millisecond
	sc.Cluster.MTU = mtu
	sc.CNI.Plugin, sc.CNI.Mode, sc.CNI.Policy = c.Plugin, c.Mode, c.Policy
	sc.Workload.Kind = kind
	sc.Workload.Placement = string(pl)
	sc.TCP.Rmem = 2 << 20
	return &sc
}

type paperKey struct {
	c    paperCase
	pl   datapath.Placement
	kind string
	mtu  int
	seed uint64
}

// paperRuns memoises the runs: several tests read the same one.
var paperRuns = map[paperKey]run.Sample{}

// paperRun runs (once) a configuration with the scenario's default seed.
func paperRun(t *testing.T, c paperCase, pl datapath.Placement, kind string, mtu int) run.Sample {
	t.Helper()
	return paperRunSeed(t, c, pl, kind, mtu, scenario.Defaults().Seed)
}

func paperRunSeed(t *testing.T, c paperCase, pl datapath.Placement, kind string, mtu int, seed uint64) run.Sample {
	t.Helper()
	k := paperKey{c, pl, kind, mtu, seed}
	if s, ok := paperRuns[k]; ok {
		return s
	}
	sc := paperScenario(c, pl, kind, mtu)
	sc.Seed = seed
	s, err := simulate.Run(context.Background(), sc, 0, sc.Seed)
	if err != nil {
		t.Fatalf("%s %s %s: %v", c.Label, pl, kind, err)
	}
	paperRuns[k] = s
	return s
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// Tolerances of the CPP checks. The simulated CPP is the calibrated cost x
// crossings x (1 + the ACKs per data packet the run produced), and the
// profile divides the paper's number by the same crossings at 0.5 ACK per
// packet, so a run reproduces the quoted number up to its ACK ratio's
// departure from 0.5 (window updates, quick-ACKs: well under 1%, see
// TestPaperAckRatio) and the profile's two-decimal rounding. The paper's
// "~x" numbers are read off the bars of Fig. 4/5 and rounded in the text:
// within 10%; numbers stated plainly (2200, 240, 1550): within 3%; and
// III.C's explicit ranges (700-880, 1300-1500) as given.
const approxTol, exactTol = 0.10, 0.03

// paperStage is a quoted per-stage CPP: the sum of the listed stages'
// cpp_by_stage within [lo, hi].
type paperStage struct {
	c      paperCase
	stages []datapath.Kind
	want   [2]float64
	cite   string
}

func checkPaperStages(t *testing.T, pl datapath.Placement, tests []paperStage) {
	t.Helper()
	for _, tt := range tests {
		s := paperRun(t, tt.c, pl, "tcp_stream", 1500)
		got := 0.0
		for _, k := range tt.stages {
			got += s.Groups[results.CPPByStage][k.String()]
		}
		if got < tt.want[0] || got > tt.want[1] {
			t.Errorf("%s %s %v = %.1f CPP, want [%.0f, %.0f] (paper %s)", tt.c.Label, pl, tt.stages, got, tt.want[0], tt.want[1], tt.cite)
		}
	}
}

// quotedStages are the paper's quotes of a placement (cni.PaperQuotes)
// as checks.
func quotedStages(pl datapath.Placement) []paperStage {
	var tests []paperStage
	for _, q := range cni.PaperQuotes(pl) {
		lo, hi := q.Bounds(approxTol, exactTol)
		for _, l := range q.Labels {
			tests = append(tests, paperStage{paperConfig(pl, l), q.Stages, [2]float64{lo, hi}, q.Cite})
		}
	}
	return tests
}

// Paper III.B, Fig. 4: intra-host, the whole node.
func TestPaperIntraStagesSimulated(t *testing.T) {
	t.Parallel()
	checkPaperStages(t, datapath.Intra, quotedStages(datapath.Intra))
}

// Paper III.C, Fig. 5: inter-host, the receiver node.
func TestPaperInterStagesSimulated(t *testing.T) {
	checkPaperStages(t, datapath.Inter, quotedStages(datapath.Inter))

	// III.C Netfilter: Cali-wp-ipip highest; Kube-router and Cali-np-xsub
	// lowest of the iptables plugins.
	nf := map[string]float64{}
	for _, c := range paperInter {
		nf[c.Label] = paperRun(t, c, datapath.Inter, "tcp_stream", 1500).Groups[results.CPPByStage][datapath.Netfilter.String()]
	}
	for _, c := range paperInter {
		x := nf[c.Label]
		if c != pCaliWPip && x >= nf[pCaliWPip.Label] {
			t.Errorf("netfilter %s %.0f >= Cali-wp-ipip %.0f (III.C: Cali-wp-ipip highest)", c.Label, x, nf[pCaliWPip.Label])
		}
		if c != pCilium && x < min(nf[pKubeR.Label], nf[pCaliNPxs.Label])-1 {
			t.Errorf("netfilter %s %.0f below Kube-router %.0f / Cali-np-xsub %.0f (III.C: those two lowest)", c.Label, x, nf[pKubeR.Label], nf[pCaliNPxs.Label])
		}
	}
}

// The profile's derivation assumes 0.5 ACK per data packet on the measured
// node (delayed ACK: one per two full segments, Linux __tcp_ack_snd_check).
// The simulated ratio, read from the TCP stage (one crossing per data
// packet received, one per ACK sent, on the receiver node inter-host),
// must be that.
func TestPaperAckRatio(t *testing.T) {
	for _, c := range paperInter {
		sc := paperScenario(c, datapath.Inter, "tcp_stream", 1500)
		st, err := simulate.Resolve(sc)
		if err != nil {
			t.Fatal(err)
		}
		tcp, _, _ := st.Profile.Cost(datapath.TCP, st.Model.Name, st.Mode, datapath.Inter)
		s := paperRun(t, c, datapath.Inter, "tcp_stream", 1500)
		r := s.Groups[results.CPPByStage][datapath.TCP.String()]/tcp - 1
		if math.Abs(r-0.5) > 0.01 {
			t.Errorf("%s: %.3f ACKs per data packet, want 0.5 (paper.toml's derivation)", c.Label, r)
		}
	}
}

// The short runs must be clean (see paperScenario): a drop would start a
// loss recovery whose extra ACKs and stalls corrupt every figure.
func TestPaperRunsClean(t *testing.T) {
	check := func(c paperCase, pl datapath.Placement, kind string, mtu int) {
		s := paperRun(t, c, pl, kind, mtu)
		if d, r := s.Scalars[results.Drops], s.Scalars[results.Retransmissions]; d != 0 || r != 0 {
			t.Errorf("%s %s %s MTU %d: %g drops, %g retransmissions; want none", c.Label, pl, kind, mtu, d, r)
		}
	}
	for _, c := range paperIntra {
		check(c, datapath.Intra, "tcp_stream", 1500)
	}
	for _, c := range paperInter {
		check(c, datapath.Inter, "tcp_stream", 1500)
		check(c, datapath.Inter, "tcp_stream", 9000)
	}
}

// Paper III.B.1 and summary, Fig. 3(a)-(c): intra-host, Cilium has the
// highest TCP throughput and the lowest TCP/UDP round-trip latency,
// Calico-wp the lowest throughput and the highest latency; the L3 Calico
// variants are below the L2 (bridge) plugins in throughput.
func TestPaperIntraOrderSimulated(t *testing.T) {
	thr := map[paperCase]float64{}
	for _, c := range paperIntra {
		thr[c] = paperRun(t, c, datapath.Intra, "tcp_stream", 1500).Scalars[results.ThroughputMbps]
	}
	for _, c := range paperIntra {
		if c != pCilium && thr[c] >= thr[pCilium] {
			t.Errorf("intra TCP throughput %s %.0f >= Cilium %.0f Mbit/s (III.B: Cilium highest)", c.Label, thr[c], thr[pCilium])
		}
		if c != pCalicoWP && thr[c] <= thr[pCalicoWP] {
			t.Errorf("intra TCP throughput %s %.0f <= Calico-wp %.0f Mbit/s (III.B: Calico-wp lowest)", c.Label, thr[c], thr[pCalicoWP])
		}
	}
	for _, l3 := range []paperCase{pCalicoNP, pCalicoWP} {
		for _, l2 := range []paperCase{pFlannel, pWeave, pKubeR} {
			if thr[l3] >= thr[l2] {
				t.Errorf("intra TCP throughput %s %.0f >= %s %.0f (III.B.1: L3 routing worse than L2)", l3.Label, thr[l3], l2.Label, thr[l2])
			}
		}
	}
	for _, kind := range []string{"tcp_rr", "udp_rr"} {
		lat := map[paperCase]float64{}
		for _, c := range paperIntra {
			lat[c] = mean(paperRun(t, c, datapath.Intra, kind, 1500).Dists[results.RTTMicros])
		}
		for _, c := range paperIntra {
			if c != pCilium && lat[c] <= lat[pCilium] {
				t.Errorf("intra %s latency %s %.2f <= Cilium %.2f us (III.B: Cilium lowest)", kind, c.Label, lat[c], lat[pCilium])
			}
			if c != pCalicoWP && lat[c] >= lat[pCalicoWP] {
				t.Errorf("intra %s latency %s %.2f >= Calico-wp %.2f us (III.B: Calico-wp highest)", kind, c.Label, lat[c], lat[pCalicoWP])
			}
		}
	}
}

// Paper III.C.1, Fig. 3(d)-(f): inter-host, the native routing solutions
// (Kube-router, Cali-wp-xsub, Cali-np-xsub) beat the overlays (Flannel,
// Weave, Cilium, Cali-*-ipip) in TCP throughput and TCP/UDP round-trip
// latency.
func TestPaperInterOrderSimulated(t *testing.T) {
	for _, n := range paperNative {
		tn := paperRun(t, n, datapath.Inter, "tcp_stream", 1500).Scalars[results.ThroughputMbps]
		for _, o := range paperOverlays {
			if to := paperRun(t, o, datapath.Inter, "tcp_stream", 1500).Scalars[results.ThroughputMbps]; tn <= to {
				t.Errorf("inter TCP throughput native %s %.0f <= overlay %s %.0f Mbit/s (III.C.1)", n.Label, tn, o.Label, to)
			}
		}
	}
	for _, kind := range []string{"tcp_rr", "udp_rr"} {
		for _, n := range paperNative {
			ln := mean(paperRun(t, n, datapath.Inter, kind, 1500).Dists[results.RTTMicros])
			for _, o := range paperOverlays {
				if lo := mean(paperRun(t, o, datapath.Inter, kind, 1500).Dists[results.RTTMicros]); ln >= lo {
					t.Errorf("inter %s latency native %s %.2f >= overlay %s %.2f us (III.C.1)", kind, n.Label, ln, o.Label, lo)
				}
			}
		}
	}
}

// Paper III.C, Fig. 6: Kube-router has the most FIB events per 100k
// packets (the DSR routing table's extra lookups).
func TestPaperFIBEventsSimulated(t *testing.T) {
	fib := map[paperCase]float64{}
	for _, c := range paperInter {
		fib[c] = paperRun(t, c, datapath.Inter, "tcp_stream", 1500).Scalars[results.FIBPer100kPackets]
	}
	for _, c := range paperInter {
		if c != pKubeR && fib[c] >= fib[pKubeR] {
			t.Errorf("FIB lookups per 100k packets: %s %.0f >= Kube-router %.0f (III.C, Fig. 6)", c.Label, fib[c], fib[pKubeR])
		}
	}
}

// goodputBound is the TCP payload rate of a saturated 10 GbE link for sc's
// pod MTU and encapsulation (DESIGN 2: R x MSS / (MTU + encap + 38)).
func goodputBound(t *testing.T, sc *scenario.Scenario) float64 {
	t.Helper()
	st, err := simulate.Resolve(sc)
	if err != nil {
		t.Fatal(err)
	}
	return datapath.Goodput(sc.Cluster.LinkGbps*1e9, st.PodMTU, st.Forward.EncapBytes, sc.Cluster.FrameOverhead) / 1e6
}

// Line rate where the sources say the testbeds reached it, ACK costs
// included: the light datapaths (one host-stack traversal, default
// iptables chains or none) at MTU 1500 (the paper's ~9.4 Gbit/s class,
// III.C); every paper plugin at MTU 9000 (vendor analysis, seeds/000: all
// plugins but encrypted Weave are limited by the 10 Gbit/s link). Within
// 3% of the goodput bound: TCP's slow start inside the measured window.
// Overlays are CPU-bound at MTU 1500 and must stay below line rate.
//
// At MTU 1500 the light paths have ~1% of headroom on the receiver's RSS
// core, so a flow whose RSS core is the receiving application's core (one
// in ten: the hash over 10 cores) also carries the ~300-cycle copy there
// and runs ~8% slower, as an unpinned netperf would. The MTU 1500 check
// takes the median over three seeds' placements, as the paper's
// repetitions average over them.
func TestPaperLineRate(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: simulates every paper configuration at MTU 1500 and 9000 (~2 s)")
	}
	light := []paperCase{
		{Label: "host", Plugin: "host"},
		{Label: "Flannel host-gw", Plugin: "flannel", Mode: "host-gw"},
		{Label: "Cilium native", Plugin: "cilium", Mode: "native"},
		pCaliNPxs,
	}
	check := func(c paperCase, mtu int, atLine bool, seeds ...uint64) {
		var got []float64
		for _, seed := range seeds {
			got = append(got, paperRunSeed(t, c, datapath.Inter, "tcp_stream", mtu, seed).Scalars[results.ThroughputMbps])
		}
		slices.Sort(got)
		med := got[len(got)/2]
		bound := goodputBound(t, paperScenario(c, datapath.Inter, "tcp_stream", mtu))
		if atLine && med < 0.97*bound {
			t.Errorf("%s MTU %d: %.0f Mbit/s (of %v), want line rate %.0f (>= 97%%)", c.Label, mtu, med, got, bound)
		}
		if !atLine && med > 0.9*bound {
			t.Errorf("%s MTU %d: %.0f Mbit/s, want CPU-bound below 90%% of line rate %.0f", c.Label, mtu, med, bound)
		}
	}
	for _, c := range light {
		check(c, 1500, true, 1, 2, 3)
	}
	for _, c := range paperOverlays {
		check(c, 1500, false, 1)
	}
	for _, c := range paperInter {
		check(c, 9000, true, 1)
	}
}

// The simulated figures of the report for every configuration of Fig. 3-6
// (throughput at MTU 1500 and 9000, TCP_RR round trip, FIB lookups, CPP by
// stage), pinned in testdata/paper-simulated.golden: the simulator's own
// numbers, which the orderings and tolerances above let move.
func TestPaperSimulatedGolden(t *testing.T) {
	var out strings.Builder
	row := func(c paperCase, pl datapath.Placement) {
		s := paperRun(t, c, pl, "tcp_stream", 1500)
		j := paperRun(t, c, pl, "tcp_stream", 9000)
		rr := paperRun(t, c, pl, "tcp_rr", 1500)
		line := fmt.Sprintf("%-5s %-12s %6.0f %6.0f Mbit/s  RR %5.2f us  FIB/100k %7.0f |", pl, c.Label,
			s.Scalars[results.ThroughputMbps], j.Scalars[results.ThroughputMbps], mean(rr.Dists[results.RTTMicros]), s.Scalars[results.FIBPer100kPackets])
		for _, k := range datapath.Kinds() {
			if v, ok := s.Groups[results.CPPByStage][k.String()]; ok && v > 0 {
				line += fmt.Sprintf(" %s=%.0f", k, v)
			}
		}
		out.WriteString(line + "\n")
	}
	for _, c := range paperIntra {
		row(c, datapath.Intra)
	}
	for _, c := range paperInter {
		row(c, datapath.Inter)
	}
	golden.Check(t, "testdata/paper-simulated.golden", []byte(out.String()))
}
