package testbed

import (
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
	if !strings.Contains(ConfigNames(), "esp, ") || !strings.HasSuffix(ConfigNames(), "esp-MTU") {
		t.Errorf("ConfigNames %q names neither esp nor esp-MTU", ConfigNames())
	}
}

// The esp graph is vxlan's with two encrypt crossings per data packet and
// per ACK (one per node), and nothing else changed.
func TestESPCrossings(t *testing.T) {
	vx, err := Crossings(mustParse([]string{"vxlan"})[0])
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
