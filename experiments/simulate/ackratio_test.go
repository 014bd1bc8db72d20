package simulate

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// write is the testbed's (iperf3's) write and read call, 128 KiB.
const write = 128 << 10

// testbedRun is the recorded testbed run the prediction is compared with.
const testbedRun = "../../testbed/testdata/run4/"

// TestAckRatioOneCorePrediction predicts the receiver's ACKs per data
// packet for the testbed's one-core stream and compares it with what the
// testbed measured (a prediction, not a tuning target: nothing here is
// fitted to the ratio). The testbed ("routed": Calico native, one pod to
// another on one node) pins sender, receiver and their softirqs to one
// CPU and writes 128 KiB (iperf3's call) paced to 400 Mbit/s; its veths
// have GRO off and gso_max_segs 1 (measurements.json), so offloads off.
// The model runs the same graph with the run's calibrated profile on one
// core at the run's clock, with each ACK policy and offloads off and on.
func TestAckRatioOneCorePrediction(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: simulates 3 s of four paced streams")
	}
	var m struct {
		CPUGHz  float64 `json:"cpu_ghz"`
		Configs []struct {
			Config struct {
				Name string `json:"name"`
			} `json:"config"`
			PacingMbps  float64 `json:"pacing_mbps"`
			DataPackets float64 `json:"data_packets"`
			AckPackets  float64 `json:"ack_packets"`
		} `json:"configs"`
	}
	b, err := os.ReadFile(testbedRun + "measurements.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	measured, mbps := 0.0, 0.0
	for _, c := range m.Configs {
		if c.Config.Name == "routed" {
			measured, mbps = c.AckPackets/c.DataPackets, c.PacingMbps
		}
	}
	if measured == 0 {
		t.Fatal("no routed configuration in the testbed run")
	}
	ratio, perSkb := map[string]float64{}, map[string]float64{}
	for _, off := range []bool{false, true} {
		for _, pol := range tcp.AckPolicies {
			sc := scenarioFor("tcp_stream")
			sc.CNI.Plugin, sc.CNI.Mode = "calico", "native"
			sc.Workload.Placement = "intra"
			sc.Cluster.CoresPerNode = 1
			sc.Cluster.CPUGHz = m.CPUGHz
			sc.Cluster.CPUJitter = 0
			sc.Cluster.Offloads = off
			sc.Calibration.Profile = testbedRun + "profile.toml"
			sc.TCP.AckPolicy = pol
			if err := Validate(sc); err != nil {
				t.Fatal(err)
			}
			cfg, err := Config(sc, 1, 0)
			if err != nil {
				t.Fatal(err)
			}
			e := sim.NewEngine()
			n, err := network.New(e, cfg.Cluster)
			if err != nil {
				t.Fatal(err)
			}
			one := tcp.Side{Node: 0, Core: 0}
			c, err := tcp.Dial(n, one, one, cfg.Forward, cfg.Reverse, cfg.PodMTU, 1, cfg.TCP)
			if err != nil {
				t.Fatal(err)
			}
			gap := sim.Time(float64(write*8) / (mbps * 1e6) * float64(sim.Second))
			var pace sim.HandlerFunc
			pace = func(e *sim.Engine, _ uint64) {
				c.Client.Write(e.Now(), write)
				e.After(gap, pace, 0)
			}
			c.Connect(0)
			e.Schedule(10*sim.Millisecond, pace, 0)
			e.RunUntil(500 * sim.Millisecond)
			st := &c.Server.Stats
			a0, d0, k0 := st.AcksSent, st.DataSegsRcvd, st.DataSkbsRcvd
			e.RunUntil(3500 * sim.Millisecond)
			acks, data, skbs := float64(st.AcksSent-a0), float64(st.DataSegsRcvd-d0), float64(st.DataSkbsRcvd-k0)
			if data == 0 {
				t.Fatalf("offloads %v, %s: no data", off, pol)
			}
			key := pol
			if off {
				key += "+offloads"
			}
			ratio[key], perSkb[key] = acks/data, acks/skbs
			t.Logf("offloads %-5v ack_policy %-5s: %.0f ACKs for %.0f data packets (%.0f skbs) in 3 s: %.4f per data packet (measured %.4f, %.2fx), %.3f per skb",
				off, pol, acks, data, skbs, acks/data, measured, acks/data/measured, acks/skbs)
		}
	}
	// the mechanism, not the measured figure: "every" ACKs every second
	// segment after its quick ACKs; "linux" without offloads, with a
	// reader that cannot run until the write's burst has passed, ACKs
	// about once per read call (128 KiB: 1 per 90.5 segments); with
	// offloads at most once per skb (super-packet)
	if r := ratio["every"]; r < 0.49 || r > 0.51 {
		t.Errorf("every: %.4f ACKs per data packet, want 0.5", r)
	}
	if r := ratio["linux"]; r < 1448.0/write*0.9 || r > 2*1448.0/write {
		t.Errorf("linux: %.4f ACKs per data packet, want about one per 128 KiB read call (%.4f)", r, 1448.0/write)
	}
	if r := perSkb["linux+offloads"]; r > 1 {
		t.Errorf("linux+offloads: %.3f ACKs per skb, want at most one", r)
	}
}
