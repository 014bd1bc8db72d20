package testbed

import (
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sampleRun() *Run {
	c, _ := ParseConfig("routed")
	return &Run{Command: "cnisim testbed run", Date: "2026-12-02T01:00:00Z", Kernel: "6.18", CPUModel: "AMD EPYC", CPUGHz: 2.596, CPU: 1,
		Configs: []Measurement{{Config: c, Script: "routed.script.gz", DataPackets: 1000, DataBytes: 1_500_000, AckPackets: 10,
			PayloadBytes: 1_440_000, BusyCycles: 2.5e7, PeriodNS: 250000, Regime: "inline", RRTransactions: 1000, RRSeconds: 0.5,
			Devices: []Device{{NS: "cnitb-a", Name: "eth0", Kind: "veth", MTU: 1500, GSOMaxSegs: 1, TSO: "on", GSO: "on", GRO: "off"}},
			Loadavg: "1.00 2.00 3.00",
			UDP: &UDP{Script: "routed.udp.script.gz", PacingMbps: 400, DatagramSize: 1472, WindowS: 2, Sent: 1000, Received: 990,
				TxPackets: 1000, RxPackets: 995, BusyCycles: 2e7, Regime: "inline", Attempts: 1, RRTransactions: 4000, RRSeconds: 0.2}}},
		Skipped: []Skip{{Name: "nft-100", Reason: "missing nft"}}}
}

func TestRunRoundTrip(t *testing.T) {
	dir := t.TempDir()
	r := sampleRun()
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, r)
	}
	m := &got.Configs[0]
	if m.CPP() != 25000 || math.Abs(m.RRLatencyUS()-500) > 1e-9 {
		t.Errorf("CPP %v, RR %v us", m.CPP(), m.RRLatencyUS())
	}
	// 1.44e6 B x 8 in 2.5e7 cycles at 2.596 GHz = 1196.3 Mbit/s
	if v := m.OneCoreMbps(2.596); math.Abs(v-1.44e6*8/(2.5e7/2.596e9)/1e6) > 1e-6 {
		t.Errorf("one-core %v", v)
	}
}

// TestUDPFigures checks the UDP derived figures on the sample's numbers.
func TestUDPFigures(t *testing.T) {
	u := sampleRun().Configs[0].UDP
	for name, c := range map[string]struct{ got, want float64 }{
		"sent/s":       {u.SentPerS(), 500},
		"received/s":   {u.ReceivedPerS(), 495},
		"loss":         {u.Loss(), 0.01},
		"cycles/dgram": {u.CyclesPerDatagram(), 20000},
		"udp_rr us":    {u.RRLatencyUS(), 50},
	} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s = %v, want %v", name, c.got, c.want)
		}
	}
	var zero UDP
	if zero.Loss() != 0 || zero.SentPerS() != 0 || zero.CyclesPerDatagram() != 0 || zero.RRLatencyUS() != 0 {
		t.Errorf("zero UDP: %+v", zero)
	}
}

// TestLoadCommittedRun: a run recorded before the UDP fields existed
// still loads, without them.
func TestLoadCommittedRun(t *testing.T) {
	r, err := Load("testdata/run2")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range r.Configs {
		if m.UDP != nil || m.Loadavg != "" {
			t.Errorf("%s: UDP %+v, loadavg %q in a run made before they were measured", m.Config.Name, m.UDP, m.Loadavg)
		}
	}
}

func TestLoadRejects(t *testing.T) {
	for name, mut := range map[string]func(*Run){
		"cpu_ghz must be > 0":       func(r *Run) { r.CPUGHz = 0 },
		`unknown configuration "x"`: func(r *Run) { r.Configs[0].Config.Name = "x" },
		"measured twice":            func(r *Run) { r.Configs = append(r.Configs, r.Configs[0]) },
		"data_packets and busy":     func(r *Run) { r.Configs[0].DataPackets = 0 },
		"config fields differ":      func(r *Run) { r.Configs[0].Config.Rules = 5 },
		"udp counters":              func(r *Run) { r.Configs[0].UDP.Received = -1 },
	} {
		dir := t.TempDir()
		r := sampleRun()
		mut(r)
		if err := r.Save(dir); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), MeasurementsFile) {
			t.Errorf("%s: got %v", name, err)
		}
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, MeasurementsFile), []byte("{"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), MeasurementsFile) {
		t.Errorf("bad JSON: %v", err)
	}
}

// TestUnmodelled: a configuration no built-in graph fits is measured and
// loads, but calibration leaves it out (its script is never read) and
// Unmodelled says why.
func TestUnmodelled(t *testing.T) {
	r := sampleRun()
	g, _ := ParseConfig("geneve")
	r.Configs[0].Config, r.Configs[0].Script = g, "missing.script.gz"
	dir := t.TempDir()
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := CalibrateAll(got, dir)
	if err != nil || len(cs) != 0 {
		t.Errorf("CalibrateAll: %d calibrations, %v; want none", len(cs), err)
	}
	u := Unmodelled(got)
	if len(u) != 1 || u[0].Name != "geneve" || !strings.Contains(u[0].Reason, "no built-in graph fits") {
		t.Errorf("Unmodelled = %+v", u)
	}
}
