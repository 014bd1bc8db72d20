package testbed

import (
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

func TestParseESP(t *testing.T) {
	for _, c := range []struct {
		name string
		mtu  int
		err  string
	}{
		{"esp", 0, ""},
		{"esp-600", 600, ""},
		{"esp-576", 576, ""},
		{"esp-1413", 1413, ""},
		{"esp-575", 0, "integer 576..1413"},
		{"esp-1414", 0, "integer 576..1413"},
		{"esp-0600", 0, "integer 576..1413"},
		{"esp-", 0, "esp-N takes the tunnel MTU N"},
		{"esp-x", 0, `configuration "esp-x"`},
	} {
		got, err := ParseConfig(c.name)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want := Config{Name: c.name, Family: "esp", Engine: "none", MTU: c.mtu, Plugin: "flannel", Mode: "vxlan", Placement: "inter"}
		if got != want {
			t.Errorf("%s: %+v, want %+v", c.name, got, want)
		}
	}
	if !strings.Contains(ConfigNames(), "esp, ") || !strings.Contains(ConfigNames(), "esp-MTU") {
		t.Errorf("ConfigNames %q names neither esp nor esp-MTU", ConfigNames())
	}
}

// The esp graph is vxlan's with two encrypt crossings per data packet and
// per ACK (one per node), and nothing else changed.
func TestESPCrossings(t *testing.T) {
	vx, err := Crossings(mustParse([]string{"vxlan-inter"})[0]) // the flannel vxlan graph esp adds to
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"esp", "esp-600"} {
		x, err := Crossings(mustParse([]string{name})[0])
		if err != nil {
			t.Fatal(err)
		}
		if vx.Data[datapath.Encrypt] != 0 || x.Data[datapath.Encrypt] != 2 || x.Ack[datapath.Encrypt] != 2 {
			t.Errorf("%s: encrypt crossings data %v ack %v (vxlan %v), want 2, 2 (0)", name, x.Data[datapath.Encrypt], x.Ack[datapath.Encrypt], vx.Data[datapath.Encrypt])
		}
		x.Data[datapath.Encrypt], x.Ack[datapath.Encrypt] = 0, 0
		if x != vx {
			t.Errorf("%s: crossings other than encrypt differ from vxlan's", name)
		}
	}
}

func TestConfigOff(t *testing.T) {
	text := "# CONFIG_INET_ESP is not set\nCONFIG_CRYPTO_GCM=m\nCONFIG_XFRM=y\nCONFIG_CRYPTO_AES_NI_INTEL=n\n"
	got := configOff(text, espKernelOptions)
	if strings.Join(got, ",") != "CONFIG_INET_ESP,CONFIG_CRYPTO_AES_NI_INTEL" {
		t.Errorf("configOff = %v", got)
	}
	if off := kernelConfigOff("/nonexistent/config.gz", espKernelOptions); off != nil {
		t.Errorf("unreadable config: %v, want nil", off)
	}
}

// espPoint is an esp configuration whose encrypt stage costs exactly
// 500 + 0.8 x bytes per crossing, with 2.5 crossings per data packet.
func espPoint(name string, bytesPerCrossing float64) Point {
	n := 2.5
	return Point{Name: name, Engine: "none", CPP: 20000, Stages: map[string]Use{
		"encrypt": {Cycles: n * (500 + 0.8*bytesPerCrossing), Units: n * bytesPerCrossing, PerByte: true, Crossings: n},
		"tcp":     {Cycles: 600, Units: 3},
	}}
}

// Two sizes give the line (closed form); one size, or a line with a
// negative part, keeps the pooled per-byte cost and says why.
func TestFitEncrypt(t *testing.T) {
	a, b, how, ok := FitEncrypt([]Point{espPoint("esp", 1400), espPoint("esp-600", 600)})
	if !ok || math.Abs(a-500) > 1e-6 || math.Abs(b-0.8) > 1e-9 || !strings.Contains(how, "esp-600 600 B") {
		t.Errorf("two sizes: %v + %v per byte (%v): %s", a, b, ok, how)
	}
	if _, _, how, ok := FitEncrypt([]Point{espPoint("esp", 1400)}); ok || !strings.Contains(how, "one packet size") {
		t.Errorf("one size: ok %v, %q", ok, how)
	}
	if _, _, how, ok := FitEncrypt([]Point{{Name: "vxlan", Stages: map[string]Use{"tcp": {Cycles: 1, Units: 1}}}}); ok || how != "" {
		t.Errorf("no encrypt: ok %v, %q", ok, how)
	}
	neg := espPoint("esp-600", 600)
	u := neg.Stages["encrypt"]
	u.Cycles = u.Crossings * 2000 // dearer at the small size: slope < 0
	neg.Stages["encrypt"] = u
	if _, _, how, ok := FitEncrypt([]Point{espPoint("esp", 1400), neg}); ok || !strings.Contains(how, "negative part") {
		t.Errorf("negative slope: ok %v, %q", ok, how)
	}
	// the profile takes the line
	r := &Run{Command: "c", Date: "d", Kernel: "k", CPUModel: "m", CPUGHz: 2.5}
	p, err := Profile(r, []Point{espPoint("esp", 1400), espPoint("esp-600", 600)}, "x")
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, e := range p.Costs {
		if e.Stage == "encrypt" {
			found = true
			if math.Abs(e.Cycles-500) > 1e-6 || math.Abs(e.CyclesPerByte-0.8) > 1e-9 || !strings.Contains(e.Source, "least-squares line") {
				t.Errorf("profile encrypt %+v", e)
			}
		}
	}
	if !found {
		t.Error("profile has no encrypt entry")
	}
}
