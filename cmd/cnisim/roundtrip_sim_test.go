package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestCalibrateSimulateRoundTrip: a profile calibrated from real perf
// captures (four saturated one-CPU iperf3 streams on this project's VM,
// calibration/stream/iperf3-amd) and simulated on the same configuration
// gives back the cycles per data packet it was calibrated from, within 2%.
// It holds only because the simulated reader reads as Linux's does when it
// shares its sender's CPU (cluster.timeslice_us, tcp.ack_policy linux):
// with neither, it woke and read for every packet and the same profile cost
// 4.3 times the measured cycles (every wake-up priced at what the capture's
// few cost), and the round trip this test pins failed.
func TestCalibrateSimulateRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	prof := filepath.Join(dir, "rt.toml")
	r := perfJSONOf(t, append(iperf3AMDCalibrate(iperf3AMDCaptures), "--out", prof, "--base", "testbed-vm-6.18"))
	for _, tc := range []struct {
		slice, policy string
		within        float64 // relative to the measured cycles per packet
	}{
		{"1817", "linux", 0.02}, // the reader's turns 1,817 us apart (the median capture)
		{"0", "every", -1},      // the model's defaults: far off (checked below)
	} {
		sc := filepath.Join(dir, "rt-"+tc.policy+".toml")
		body := fmt.Sprintf("name = \"rt\"\nreplications = 1\nduration = \"200ms\"\nwarmup = \"50ms\"\n"+
			"[cluster]\ncores_per_node = 1\ncpu_ghz = 2.596\ncpu_jitter = 0\nlink_gbps = 400\ntimeslice_us = %s\n"+
			"[cni]\nplugin = \"calico\"\nmode = \"native\"\n[tcp]\nack_policy = %q\n[calibration]\nprofile = %q\n"+
			"[workload]\nkind = \"tcp_stream\"\nplacement = \"intra\"\n", tc.slice, tc.policy, prof)
		if err := os.WriteFile(sc, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		cpp := simulatedCPP(t, sc)
		e := cpp/r.CPPTotal - 1
		t.Logf("timeslice_us %s, ack_policy %s: simulated %.0f cycles per data packet, measured %.0f (%+.1f%%)", tc.slice, tc.policy, cpp, r.CPPTotal, 100*e)
		if tc.within > 0 && math.Abs(e) > tc.within {
			t.Errorf("timeslice_us %s: simulated %.0f cycles per data packet, calibrated from %.0f: the round trip is off by %+.1f%%", tc.slice, cpp, r.CPPTotal, 100*e)
		}
		if tc.within < 0 && e < 1 {
			t.Errorf("defaults: simulated %.0f, measured %.0f: the one-CPU reader no longer wakes per packet; update this test and the README", cpp, r.CPPTotal)
		}
	}
}

// TestSplitLayerRecorded: calibration/stream/iperf3-amd/split.toml is what
// split.py writes from calibrate perf of the two committed captures (the
// MTU-sized ones and the super-packet one), byte for byte: the layer is
// generated, not edited.
func TestSplitLayerRecorded(t *testing.T) {
	t.Parallel()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	tmp := t.TempDir()
	for name, capture := range map[string][]string{"off.json": iperf3AMDCaptures, "on.json": iperf3AMDOffloadsOn} {
		code, stdout, stderr := invoke(append(iperf3AMDCalibrate(capture), "--format", "json")...)
		if code != 0 {
			t.Fatalf("calibrate perf for %s: exit %d: %s", name, code, stderr)
		}
		if err := os.WriteFile(filepath.Join(tmp, name), []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := exec.Command(py, iperf3AMD+"/split.py", filepath.Join(tmp, "off.json"), filepath.Join(tmp, "on.json")).Output()
	if err != nil {
		t.Fatalf("split.py: %v", err)
	}
	want, err := os.ReadFile(iperf3AMD + "/split.toml")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("split.py now writes a different layer than split.toml: regenerate it (README.md beside it)\n%s", got)
	}
}

// The committed captures of calibration/stream/iperf3-amd and the counts
// one-stream.sh printed for them (its README.md): the MTU-sized ones
// (offloads off, four pooled) and the super-packet one.
const iperf3AMD = "../../calibration/stream/iperf3-amd"

var (
	iperf3AMDCaptures = []string{"--script", iperf3AMD + "/captures.script.gz", "--packets", "4871552", "--acks", "47170",
		"--bytes", "6970106164", "--writes", "53143", "--reads", "53845", "--wakeups", "18138"}
	iperf3AMDOffloadsOn = []string{"--script", iperf3AMD + "/offloads-on.script.gz", "--packets", "105089", "--acks", "48048",
		"--bytes", "6407559108", "--writes", "48746", "--reads", "48761", "--wakeups", "9306"}
)

// iperf3AMDCalibrate is the calibrate perf command line for one of them.
func iperf3AMDCalibrate(capture []string) []string {
	return append([]string{"calibrate", "perf", "--cpus", "0", "--comm", "iperf3,ksoftirqd/*", "--cpu-ghz", "2.596",
		"--plugin", "calico", "--mode", "native", "--placement", "intra"}, capture...)
}
