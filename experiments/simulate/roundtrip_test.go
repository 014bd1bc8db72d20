package simulate_test

// Calibrate, then simulate the same thing: the same cost back (issue 17).
// Each real perf capture of calibration/perf/testdata/perf (a CNI-like
// datapath in network namespaces on this kind of machine, sender and
// receiver on one CPU) is calibrated with `calibrate perf`'s pipeline
// against the graph of the model that has its topology, and the profile
// is then simulated: the same graph, one core at the capture's clock, the
// receiver's measured ACK ratio (tcp.ack_every), no CPU jitter. The
// simulated busy cycles per data packet (cpp_total) must be the measured
// ones within 2%.
//
// Calls and wake-ups (issue 20): the syscall and sched stages are paid per
// send call, read call and wake-up, so calibration divides their cycles
// by those counts and the simulation must make as many. The captures'
// sender wrote 64 KiB per call (manifest "traffic"): send calls =
// payload_bytes_sent / 65536, and the simulation writes 64 KiB per call
// too. The captures did not count read calls or wake-ups; the test
// calibrates with one of each per data packet, which is what the simulator
// does on one core (each segment's softirq finishes after the previous
// copy, so the reader is blocked and woken for each), so the round trip
// checks that both sides use one definition, not the real split between
// per-call and per-packet costs (which needs counted calls: perf stat -e
// syscalls:sys_enter_recvfrom,sched:sched_wakeup).
//
// Measured (go test ./experiments/simulate -run CalibrateThenSimulate -v,
// 2026-12-02): 95 captures on two hosts, median |error| 0.23%, max 1.68% (ipt-legacy-1000-r4),
// the rest of it the work queued at the window's edges (a 5000-rule packet
// costs 38 us of the one core).

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/cnisim/cnisim/calibration/perf"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/simulate"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
)

// captureDirs hold the real captures, each with its manifest.toml
// (calibration/perf/testdata/perf/README.md).
var captureDirs = []string{"../../calibration/perf/testdata/perf", "../../calibration/perf/testdata/perf/series-host2", "../../calibration/perf/testdata/perf/series-host3", "../../calibration/perf/testdata/perf/series-host3-rcvlowat",
	"../../calibration/perf/testdata/perf/series-host3-ref", "../../calibration/perf/testdata/perf/series-host3-ref2",
	"../../calibration/perf/testdata/perf/series-host3-ref8"}

// captureWriteBytes is the captures' sender's write size (manifest
// "traffic": 64 KiB writes).
const captureWriteBytes = 64 << 10

// capture holds the keys of a manifest.toml entry this test reads.
type capture struct {
	Name         string `toml:"name"`
	Topology     string `toml:"topology"`
	File         string `toml:"file"`
	CPUs         string `toml:"cpus"`
	DataPackets  int64  `toml:"data_packets"`
	AckPackets   int64  `toml:"ack_packets"`
	PayloadBytes int64  `toml:"payload_bytes"`
	// PayloadBytesSent is what the sender's calls wrote (retransmissions included)
	PayloadBytesSent int64    `toml:"payload_bytes_sent"`
	CPUGHz           float64  `toml:"cpu_ghz"`
	IdlerGHz         float64  `toml:"idler_ghz"` // the clock capture.sh's probe measured, where it could
	Comms            []string `toml:"comms"`
	SoftirqComms     []string `toml:"softirq_comms"`
	PacingMbps       float64  `toml:"pacing_mbps"` // the sender's rate (CNIFX_MBPS)
	RcvLowat         int      `toml:"rcvlowat"`    // the reader's SO_RCVLOWAT (CNIFX_RCVLOWAT), 0: none
	Traffic          string   `toml:"traffic"`     // the commands, with the reader's CNIFX_RBUF

	dir string // its manifest's directory
}

// readBytes is the capture's read call (CNIFX_RBUF in its traffic line).
func (c capture) readBytes(t *testing.T) int {
	_, after, ok := strings.Cut(c.Traffic, "CNIFX_RBUF=")
	if !ok {
		t.Fatalf("capture %s: no CNIFX_RBUF in its traffic line", c.Name)
	}
	digits := strings.IndexFunc(after, func(r rune) bool { return r < '0' || r > '9' })
	if digits < 0 { // the line ends with the number
		digits = len(after)
	}
	n, err := strconv.Atoi(after[:digits])
	if err != nil {
		t.Fatalf("capture %s: CNIFX_RBUF=%q", c.Name, after)
	}
	return n
}

// clockGHz is the capture's clock: the probe's where it has one.
func (c capture) clockGHz() float64 {
	if c.IdlerGHz > 0 {
		return c.IdlerGHz
	}
	return c.CPUGHz
}

func loadCaptures(t *testing.T) []capture {
	t.Helper()
	var all []capture
	for _, dir := range captureDirs {
		var m struct {
			Capture []capture `toml:"capture"`
		}
		if _, err := toml.DecodeFile(filepath.Join(dir, "manifest.toml"), &m); err != nil {
			t.Fatal(err)
		}
		for _, c := range m.Capture {
			c.dir = dir
			all = append(all, c)
		}
	}
	return all
}

// capturePlugins is the model whose graph has each capture topology's
// datapath.
var capturePlugins = map[string]string{
	"bridge":      "flannel",                     // veth + Linux bridge (bridge-nf-call-iptables on)
	"routed":      "calico",                      // /32 routes, host stack forwarding; rule series in FORWARD
	"ebpf-peer":   "cilium",                      // tc eBPF bpf_redirect_peer
	"ebpf-egress": "cilium",                      // tc eBPF bpf_redirect to the peer's egress
	"vxlan":       "testdata/capture-vxlan.toml", // VXLAN over a veth underlay
}

// captureRun is a capture simulated with the profile calibrated from it.
type captureRun struct {
	measured, simulated float64 // cycles per data packet
	measuredAcks        float64 // the capture's ACKs per data packet
	simulatedAcks       float64 // the simulation's (tcp_acks_per_segment)
	label               string  // its folder and name
}

// forEachCapture runs check, in parallel subtests, on every real capture
// calibrated into a profile and simulated with it on one core at the
// capture's clock with the capture's own traffic (64 KiB writes paced to
// its rate, read in calls of its reader's buffer); set adjusts the
// scenario (the ACK policy).
func forEachCapture(t *testing.T, set func(t *testing.T, sc *scenario.Scenario, c capture), check func(t *testing.T, c capture, r captureRun)) {
	caps := loadCaptures(t)
	for i := range caps {
		c := caps[i]
		plugin := capturePlugins[c.Topology]
		if plugin == "" {
			t.Fatalf("capture %s: no model for its topology %q", c.Name, c.Topology)
		}
		t.Run(filepath.Base(c.dir)+"/"+c.Name, func(t *testing.T) {
			t.Parallel()
			check(t, c, simulateCapture(t, c, plugin, set))
		})
	}
}

func simulateCapture(t *testing.T, c capture, plugin string, set func(t *testing.T, sc *scenario.Scenario, c capture)) captureRun {
	var cpus []int
	for _, f := range strings.Split(c.CPUs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			t.Fatal(err)
		}
		cpus = append(cpus, n)
	}
	comms := append(append(append([]string{}, c.Comms...), c.SoftirqComms...), "swapper*")
	res, err := perf.AnalyzeFile(filepath.Join(c.dir, c.File),
		perf.Options{Packets: c.DataPackets, CPUGHz: c.clockGHz(), CPUs: cpus, Comms: comms})
	if err != nil {
		t.Fatal(err)
	}
	m, err := cni.Load(plugin)
	if err != nil {
		t.Fatal(err)
	}
	x, err := m.NodeCrossings(m.DefaultMode, datapath.Intra, cni.PathOptions{}, datapath.Dst)
	if err != nil {
		t.Fatal(err)
	}
	// reads and the reader's wake-ups one per data packet, as the model's
	// one-core reader makes them (it copies each segment behind its
	// softirq); the kernel's reader made two or three calls a 64 KiB write
	// (README, the ACK policy), so the per-call and per-wake costs are per
	// packet here; a paced writer sleeps once per write (a call and a
	// wake-up of its own), an unpaced one never
	writes := int64(math.Round(float64(c.PayloadBytesSent) / captureWriteBytes))
	var sleeps int64
	if c.PacingMbps > 0 {
		sleeps = writes
	}
	cal, err := perf.Calibrate(res, perf.Counters{Packets: c.DataPackets, Bytes: c.PayloadBytes, Acks: c.AckPackets,
		Writes: writes + sleeps, Reads: c.DataPackets, Wakeups: c.DataPackets + sleeps, WriterWakeups: sleeps}, &x,
		perf.ProfileOptions{Name: c.Name})
	if err != nil {
		t.Fatal(err)
	}
	profile := filepath.Join(t.TempDir(), "profile.toml")
	f, err := os.Create(profile)
	if err != nil {
		t.Fatal(err)
	}
	if err := cal.Profile.WriteTOML(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	sc := scenario.Defaults()
	sc.Replications = 1
	// Long enough that slow start with the captures' stretch ACKs
	// (one per 13 to 40 segments) is over and the work queued at the
	// window's edges is small: at 300 ms the nft-1000 capture came
	// out 4.5% low, at 2 s the 5000-rule ones up to 3.6% off, and at
	// 5 s the 8000-rule ones (70 us of the core per packet) up to
	// 2.7%. So at least 5 s and 150k packets at the measured cost
	// (the 8000-rule ones within 0.9% at 15 s), a fifth of it warm-up.
	secs := max(5, 150e3*cal.MeasuredCPP/(c.clockGHz()*1e9))
	sc.Duration = time.Duration(secs * float64(time.Second))
	sc.Warmup = sc.Duration / 5
	sc.Cluster.CoresPerNode = 1
	sc.Cluster.CPUGHz = c.clockGHz()
	sc.Cluster.CPUJitter = 0
	sc.CNI.Plugin = plugin
	sc.CNI.PodMTU = 1500 // the capture's pods: MTU 1500, no tunnel overhead taken off intra-host
	sc.Calibration.Profile = profile
	sc.Workload.Kind = "tcp_stream"
	sc.Workload.Placement = "intra"
	// the capture's traffic: 64 KiB writes paced to its rate, read in
	// calls of its reader's buffer
	sc.Workload.WriteBytes = captureWriteBytes
	sc.Workload.RateMbps = c.PacingMbps
	sc.Workload.ReadBytes = c.readBytes(t)
	set(t, &sc, c)
	s, err := simulate.Run(context.Background(), &sc, 0, sc.Seed)
	if err != nil {
		t.Fatal(err)
	}
	return captureRun{measured: cal.MeasuredCPP, simulated: s.Scalars[results.CPPTotal],
		measuredAcks: cal.AcksPerPacket, simulatedAcks: s.Scalars[results.TCPAcksPerSegment],
		label: filepath.Base(c.dir) + "/" + c.Name}
}

// TestCalibrateThenSimulateRealCaptures is the round trip: each capture's
// profile, simulated with the capture's measured ACK ratio, costs what
// was measured.
func TestCalibrateThenSimulateRealCaptures(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates several real captures")
	}
	t.Parallel()
	forEachCapture(t, func(t *testing.T, sc *scenario.Scenario, c capture) {
		sc.TCP.AckEvery = int(math.Round(float64(c.DataPackets) / float64(c.AckPackets)))
	}, func(t *testing.T, c capture, r captureRun) {
		rel := r.simulated/r.measured - 1
		t.Logf("%s: measured %.0f cycles per data packet (%.3f ACKs per packet), simulated %.0f (%+.2f%%)",
			r.label, r.measured, r.measuredAcks, r.simulated, 100*rel)
		if math.Abs(rel) > 0.02 {
			t.Errorf("simulated %.0f cycles per data packet, measured %.0f: %+.2f%%, beyond 2%%", r.simulated, r.measured, 100*rel)
		}
	})
}

// TestLinuxReceiverRealCaptures predicts each capture's ACKs instead of
// stating them: Linux's receiver (tcp.ack_policy = "linux") decides when
// to ACK from the capture's traffic alone, and the cycles per packet that
// follow are compared with the measured ones (a prediction: the profiles
// are calibrated with the measured ACKs, nothing is fitted to this).
// Captures whose reader set SO_RCVLOWAT (series-host3-rcvlowat: woken at
// 64 KiB, so Linux ACKs every second segment) are skipped: the model has
// no SO_RCVLOWAT.
func TestLinuxReceiverRealCaptures(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates several real captures")
	}
	t.Parallel()
	var mu sync.Mutex
	var errs []float64
	t.Run("captures", func(t *testing.T) {
		forEachCapture(t, func(t *testing.T, sc *scenario.Scenario, c capture) {
			if c.RcvLowat > 0 {
				t.Skip("SO_RCVLOWAT is not modelled")
			}
			sc.TCP.AckPolicy = "linux"
		}, func(t *testing.T, c capture, r captureRun) {
			rel := r.simulated/r.measured - 1
			t.Logf("%s: measured %.0f cycles per data packet and %.4f ACKs per packet, simulated %.0f (%+.2f%%) and %.4f (%+.1f%%)",
				r.label, r.measured, r.measuredAcks, r.simulated, 100*rel, r.simulatedAcks, 100*(r.simulatedAcks/r.measuredAcks-1))
			// a gross miss, whatever the capture's ACKs (up to 0.23 per
			// packet on a loaded host, against about 0.04 elsewhere)
			if math.Abs(rel) > 0.2 {
				t.Errorf("simulated %.0f cycles per data packet, measured %.0f: %+.1f%%", r.simulated, r.measured, 100*rel)
			}
			mu.Lock()
			errs = append(errs, math.Abs(rel))
			mu.Unlock()
		})
	})
	if len(errs) == 0 {
		return // a subtest filter ran none
	}
	slices.Sort(errs)
	med, p90 := errs[len(errs)/2], errs[len(errs)*9/10]
	t.Logf("%d captures: |cycles error| median %.2f%%, 90th percentile %.2f%%, max %.2f%%", len(errs), 100*med, 100*p90, 100*errs[len(errs)-1])
	if len(errs) >= 20 && (med > 0.025 || p90 > 0.035) {
		t.Errorf("|cycles error| median %.2f%% and 90th percentile %.2f%%, want within 2.5%% and 3.5%%", 100*med, 100*p90)
	}
}
