package perf

import (
	"math"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// captureEntry is one [[capture]] of testdata/perf/manifest.toml, written
// by testdata/perf/capture.sh. Every key is listed: an unknown key fails the
// test, so that a renamed field does not go unnoticed.
type captureEntry struct {
	Name                    string    `toml:"name"`
	File                    string    `toml:"file"`
	Topology                string    `toml:"topology"`
	Description             string    `toml:"description"`
	CaptureSpec             string    `toml:"capture_spec"`
	Repetition              int       `toml:"repetition"`
	ForeignSamples          string    `toml:"foreign_samples"`
	PacingMbps              float64   `toml:"pacing_mbps"`
	Regime                  string    `toml:"regime"`
	RegimeRule              string    `toml:"regime_rule"`
	Rules                   int       `toml:"rules"`
	RuleEngine              string    `toml:"rule_engine"`
	Offloads                string    `toml:"offloads"`
	DeviceFeatures          string    `toml:"device_features"`
	CPUs                    string    `toml:"cpus"`
	Event                   string    `toml:"event"`
	PeriodNs                int64     `toml:"period_ns"`
	DurationS               float64   `toml:"duration_s"`
	SampledS                float64   `toml:"sampled_s"`
	Samples                 int       `toml:"samples"`
	SamplesTraffic          int       `toml:"samples_traffic"`
	SamplesKsoftirqd        int       `toml:"samples_ksoftirqd"`
	SamplesIdle             int       `toml:"samples_idle"`
	SamplesOther            int       `toml:"samples_other"`
	DataPackets             int64     `toml:"data_packets"`
	DataPacketsCounter      string    `toml:"data_packets_counter"`
	DataBytes               int64     `toml:"data_bytes"`
	AckPackets              int64     `toml:"ack_packets"`
	AckPacketsCounter       string    `toml:"ack_packets_counter"`
	PayloadBytes            int64     `toml:"payload_bytes"`
	PayloadBytesCounter     string    `toml:"payload_bytes_counter"`
	PayloadBytesSent        int64     `toml:"payload_bytes_sent"`
	PayloadBytesSentCounter string    `toml:"payload_bytes_sent_counter"`
	CPUGHz                  float64   `toml:"cpu_ghz"`
	CPUGHzSource            string    `toml:"cpu_ghz_source"`
	CPUModel                string    `toml:"cpu_model"`
	Kernel                  string    `toml:"kernel"`
	PerfVersion             string    `toml:"perf_version"`
	Date                    string    `toml:"date"`
	Loadavg                 string    `toml:"loadavg"`
	Command                 string    `toml:"command"`
	WindowMonotonic         []float64 `toml:"window_monotonic"`
	TCPCongestionControl    string    `toml:"tcp_congestion_control"`
	Traffic                 string    `toml:"traffic"`
	Comms                   []string  `toml:"comms"`
	SoftirqComms            []string  `toml:"softirq_comms"`
	Caches                  string    `toml:"caches"`
	Idler                   string    `toml:"idler"`
	IdlerGHz                float64   `toml:"idler_ghz"`
	IdlerGHzSource          string    `toml:"idler_ghz_source"`
	RcvLowat                int       `toml:"rcvlowat"`     // the server socket's SO_RCVLOWAT (capture.sh RCVLOWAT), 0 unset
	IdlerRefNs              float64   `toml:"idler_ref_ns"` // the idler's reference workload, ns per round trip (capture.sh REFPROBE), 0 without
	IdlerRefSource          string    `toml:"idler_ref_source"`

	dir      string // the directory of its manifest.toml (captureDirs)
	speedGHz float64
}

// clockGHz is the recorded CPU's clock over the capture's window: the
// idler's probe where capture.sh ran it (idler_ghz: on host 3 the vCPU's
// clock moved between 1.3 and 2.7 GHz within seconds, so the nominal
// cpu_ghz would turn time into the wrong number of cycles), else the
// nominal cpu_ghz.
func (c captureEntry) clockGHz() float64 {
	if c.speedGHz > 0 {
		return c.speedGHz
	}
	if c.IdlerGHz > 0 {
		return c.IdlerGHz
	}
	return c.CPUGHz
}

// captureDirs are the directories of real captures, each with the
// manifest.toml capture.sh wrote there: testdata/perf (host 1, AMD EPYC
// family 26, 2026-12-02 01:12-03:46 UTC) and testdata/perf/series-host2
// (the rule series at six rule counts on host 2, AMD EPYC family 25,
// 12:34-12:44 UTC, with capture.sh's idler) and testdata/perf/series-host3
// (the rule series at five rule counts on host 3, Intel Xeon, 2026-12-02
// 19:51-19:59 UTC, with the idler) and testdata/perf/series-host3-rcvlowat
// (the same with the server's SO_RCVLOWAT at 64 KiB, 21:03-21:11 UTC;
// testdata/perf/README.md) and testdata/perf/series-host3-ref, -ref2 and
// -ref8 (the same beside the idler's reference workload, the last with
// eight rounds, 2026-12-03 02:34-03:27 UTC).
var captureDirs = []string{"testdata/perf", "testdata/perf/series-host2", "testdata/perf/series-host3", "testdata/perf/series-host3-rcvlowat",
	"testdata/perf/series-host3-ref", "testdata/perf/series-host3-ref2", "testdata/perf/series-host3-ref8"}

// TestCaptureManifest: the manifest of the real captures is well-formed,
// lists every fixture once, and each fixture parses with the counts the
// manifest states.
func TestCaptureManifest(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: runs capture.sh's manifest checks (~2 s)")
	}
	for _, dir := range captureDirs {
		t.Run(dir, func(t *testing.T) { checkManifest(t, dir) })
	}
}

func checkManifest(t *testing.T, dir string) {
	m := struct{ Capture []captureEntry }{loadManifest(t, dir)}
	if len(m.Capture) == 0 {
		t.Fatal("manifest.toml: no [[capture]]")
	}
	engines := map[string]bool{"none": true, "iptables-legacy": true, "nftables": true}
	regimes := map[string]bool{"inline": true, "ksoftirqd": true, "mixed": true}
	name := regexp.MustCompile(`^[a-z0-9-]+$`)
	listed := map[string]bool{}
	for _, c := range m.Capture {
		if !name.MatchString(c.Name) || c.File != c.Name+".script.gz" || listed[c.File] {
			t.Errorf("%q: bad or repeated name/file %q", c.Name, c.File)
		}
		listed[c.File] = true
		if !engines[c.RuleEngine] || c.Rules < 0 || (c.RuleEngine == "none" && c.Rules != 0) {
			t.Errorf("%s: rule_engine %q with %d rules", c.Name, c.RuleEngine, c.Rules)
		}
		if !regimes[c.Regime] || c.Event != EventCPUClock || c.PeriodNs <= 0 || c.CPUGHz <= 0 || c.Kernel == "" ||
			c.PerfVersion == "" || c.Command == "" || len(c.Comms) == 0 || c.Topology == "" {
			t.Errorf("%s: incomplete entry %+v", c.Name, c)
		}
		if c.DataPackets <= 0 || c.AckPackets < 0 || c.PayloadBytes <= 0 || c.DataBytes < c.PayloadBytes {
			t.Errorf("%s: counters: %d packets, %d ACKs, %d payload bytes, %d device bytes", c.Name, c.DataPackets, c.AckPackets, c.PayloadBytes, c.DataBytes)
		}
		if d, err := time.Parse(time.RFC3339, c.Date); err != nil || d.Year() < 2020 {
			t.Errorf("%s: date %q: %v", c.Name, c.Date, err)
		}
		// The file holds the samples of the counter window: its length
		// and the samples' time agree (cpu-clock samples idle time too).
		if len(c.WindowMonotonic) != 2 || math.Abs(c.WindowMonotonic[1]-c.WindowMonotonic[0]-c.DurationS) > 0.002 ||
			math.Abs(c.SampledS-c.DurationS) > 0.05*c.DurationS {
			t.Errorf("%s: window %v, duration %v s, sampled %v s", c.Name, c.WindowMonotonic, c.DurationS, c.SampledS)
		}
		if c.SamplesTraffic+c.SamplesKsoftirqd+c.SamplesIdle+c.SamplesOther != c.Samples {
			t.Errorf("%s: samples by comm do not add up to %d", c.Name, c.Samples)
		}
		cpus, err := ParseCPUList(c.CPUs)
		if err != nil {
			t.Errorf("%s: cpus: %v", c.Name, err)
			continue
		}
		r, err := AnalyzeFile(filepath.Join(dir, c.File), Options{Packets: c.DataPackets, CPUGHz: c.clockGHz(), Event: EventCPUClock, CPUs: cpus})
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if n := r.Samples + r.IdleSamples + r.SkippedSamples; n != c.Samples || r.SkippedSamples != 0 {
			t.Errorf("%s: parsed %d samples (%d skipped), manifest says %d", c.Name, n, r.SkippedSamples, c.Samples)
		}
		want := float64(r.Samples) * float64(c.PeriodNs) * c.clockGHz()
		if math.Abs(r.TotalCycles-want) > 1e-9*want {
			t.Errorf("%s: %v busy cycles, want %v", c.Name, r.TotalCycles, want)
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.script.gz"))
	if err != nil {
		t.Fatal(err)
	}
	// The two older system-wide captures without counters, read by
	// TestRealFixtures, predate the manifest.
	legacy := map[string]bool{"bridge.script.gz": true, "vxlan.script.gz": true}
	for _, f := range files {
		if !listed[filepath.Base(f)] && !legacy[filepath.Base(f)] {
			t.Errorf("%s is not in manifest.toml", f)
		}
	}
	for f := range listed {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
}
