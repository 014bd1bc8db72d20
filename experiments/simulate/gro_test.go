package simulate

import (
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/network"
)

// groLayer writes a profile layer stating GRO's per-frame costs and
// software GSO's per-segment costs (device "" for every frame; others a
// tunnel's share) and returns its path. Its cpu_ghz is paper's, so
// layering over paper keeps paper's clock.
func groLayer(t *testing.T, frames, segments map[string]float64) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("name = \"gro-test\"\ncpu_ghz = 2.4\n")
	for _, table := range []struct {
		name string
		m    map[string]float64
	}{{"gro_frame", frames}, {"gso_segment", segments}} {
		for _, d := range []string{"", "vxlan", "vxlam"} {
			if c, ok := table.m[d]; ok {
				b.WriteString("\n[[" + table.name + "]]\n")
				if d != "" {
					b.WriteString("device = \"" + d + "\"\n")
				}
				b.WriteString("cycles = " + strconv.FormatFloat(c, 'f', -1, 64) + "\nprovenance = \"assumed\"\nsource = \"test\"\n")
			}
		}
	}
	path := filepath.Join(t.TempDir(), "gro.toml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestGROFrameResolution: GRO's per-frame cost is the scenario's key when
// set, else the profile's [[gro_frame]] for every frame, else the built-in
// measured value; a tunnel's share is the profile's entry for that device,
// else the devices table's; a device the table does not know is refused,
// naming the allowed ones.
func TestGROFrameResolution(t *testing.T) {
	t.Parallel()
	builtinVXLAN := func() float64 {
		sc := scenarioFor("tcp_stream")
		sc.CNI.Plugin, sc.CNI.Mode = "flannel", "vxlan"
		st, err := Resolve(sc)
		if err != nil {
			t.Fatal(err)
		}
		return st.Forward.GROFrameExtra
	}()
	if builtinVXLAN <= 0 {
		t.Fatalf("flannel vxlan's built-in GRO share = %v, want > 0 (devices.toml)", builtinVXLAN)
	}
	for _, c := range []struct {
		name     string
		key      float64
		frames   map[string]float64
		base, vx float64
	}{
		{"built-in", scenario.FromProfile, nil, network.DefaultGROFrameCycles, builtinVXLAN},
		{"profile", scenario.FromProfile, map[string]float64{"": 480}, 480, builtinVXLAN},
		{"profile and tunnel", scenario.FromProfile, map[string]float64{"": 480, "vxlan": 120}, 480, 120},
		{"key over profile", 200, map[string]float64{"": 480, "vxlan": 120}, 200, 120},
		{"key without profile", 0, nil, 0, builtinVXLAN},
	} {
		sc := scenarioFor("tcp_stream")
		sc.CNI.Plugin, sc.CNI.Mode = "flannel", "vxlan"
		sc.Calibration.GROFrameCycles = c.key
		if c.frames != nil {
			sc.Calibration.Profile = "paper," + groLayer(t, c.frames, nil)
		}
		cfg, err := Config(sc, 1, 0)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if cfg.Cluster.GROFrameCycles != c.base || cfg.Forward.GROFrameExtra != c.vx || cfg.Reverse.GROFrameExtra != c.vx {
			t.Errorf("%s: per frame %v, vxlan share %v / %v; want %v, %v", c.name,
				cfg.Cluster.GROFrameCycles, cfg.Forward.GROFrameExtra, cfg.Reverse.GROFrameExtra, c.base, c.vx)
		}
	}
	sc := scenarioFor("tcp_stream")
	sc.Calibration.Profile = "paper," + groLayer(t, map[string]float64{"vxlam": 1}, nil)
	_, err := Resolve(sc)
	for _, w := range []string{"calibration.profile", `gro_frame[0].device "vxlam"`, "allowed:", "vxlan", "geneve"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("unknown device: error %v lacks %q", err, w)
		}
	}
}

// A profile's per-frame cost reaches the simulation as the scenario key's
// does: the same run, byte for byte, whichever states it.
func TestGROFrameProfileRun(t *testing.T) {
	t.Parallel()
	run := func(key float64, frames map[string]float64) any {
		sc := scenarioFor("tcp_stream")
		sc.CNI.Plugin, sc.CNI.Mode = "flannel", "vxlan"
		sc.Cluster.Offloads = true
		sc.Duration, sc.Warmup = 20*time.Millisecond, 5*time.Millisecond
		sc.Calibration.GROFrameCycles = key
		if frames != nil {
			sc.Calibration.Profile = "paper," + groLayer(t, frames, nil)
		}
		return sample(t, sc, 0).Scalars
	}
	fromProfile := run(scenario.FromProfile, map[string]float64{"": 900})
	fromKey := run(900, nil)
	builtin := run(scenario.FromProfile, nil)
	if !reflect.DeepEqual(fromProfile, fromKey) {
		t.Errorf("profile's 900 cycles and the key's differ:\n%v\n%v", fromProfile, fromKey)
	}
	if reflect.DeepEqual(fromProfile, builtin) {
		t.Error("the profile's per-frame cost changed nothing against the built-in one")
	}
}

// TestGSOSegmentResolution: software GSO's per-segment cost resolves as
// GRO's per-frame cost does (the key, else the profile's [[gso_segment]],
// else the built-in measured value; a tunnel's share from the profile,
// else the devices table), and an unknown device is refused.
func TestGSOSegmentResolution(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		key      float64
		segments map[string]float64
		base, vx float64
	}{
		{"built-in", scenario.FromProfile, nil, network.DefaultGSOSegmentCycles, 38.3},
		{"profile and tunnel", scenario.FromProfile, map[string]float64{"": 250, "vxlan": 200}, 250, 200},
		{"key over profile", 0, map[string]float64{"": 250}, 0, 38.3}, // devices.toml's vxlan share
	} {
		sc := scenarioFor("tcp_stream")
		sc.CNI.Plugin, sc.CNI.Mode = "flannel", "vxlan"
		sc.Calibration.GSOSegmentCycles = c.key
		if c.segments != nil {
			sc.Calibration.Profile = "paper," + groLayer(t, nil, c.segments)
		}
		cfg, err := Config(sc, 1, 0)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if cfg.Cluster.GSOSegmentCycles != c.base || cfg.Forward.GSOSegmentExtra != c.vx {
			t.Errorf("%s: per segment %v, vxlan share %v; want %v, %v", c.name, cfg.Cluster.GSOSegmentCycles, cfg.Forward.GSOSegmentExtra, c.base, c.vx)
		}
	}
	sc := scenarioFor("tcp_stream")
	sc.Calibration.Profile = "paper," + groLayer(t, nil, map[string]float64{"vxlam": 1})
	if _, err := Resolve(sc); err == nil || !strings.Contains(err.Error(), `gso_segment[0].device "vxlam"`) {
		t.Errorf("unknown device: error %v", err)
	}
}
