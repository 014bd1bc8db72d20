package scenario

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestEmptyFileIsDefaults(t *testing.T) {
	t.Parallel()
	s, err := Decode("dir/my-run.toml", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Defaults()
	want.Name = "my-run"
	if !reflect.DeepEqual(*s, want) {
		t.Errorf("got %+v\nwant %+v", *s, want)
	}
}

func TestDecodeDesignExample(t *testing.T) {
	t.Parallel()
	// The example of DESIGN section 3, verbatim keys.
	src := `name = "flannel-vxlan-vs-native"
seed = 1
replications = 10
duration = "10s"
warmup = "1s"
[cluster]
nodes = 2
cores_per_node = 10
cpu_ghz = 2.4
link_gbps = 10
link_delay = "5us"
mtu = 1500
frame_overhead = 38
offloads = false
[cni]
plugin = "flannel"
mode = "vxlan"
pod_mtu = 0
policy = false
policy_rules = 0
async_setup = false
setup_delay = "300ms"
[tcp]
congestion = "cubic"
syn_schedule = "exponential"
[calibration]
profile = "paper"
[calibration.cycles]
vxlan = 900
[workload]
kind = "tcp_stream"
placement = "inter"
streams = 1
rate_mbps = 0
message_bytes = 1
file_bytes = 10_000_000_000
client = "curl"
threads = 12
connections = 400
pods = 30
arrival = "burst"
[workload.server]
cores = 1
cycles_per_request = 60000
cycles_per_byte = 4.0
[sweep]
"cluster.mtu" = [1500, 9000]
"cni.mode" = ["vxlan", "host-gw"]
`
	p, err := Load("design.toml", []byte(src), Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := p.Base
	if s.Cluster.LinkDelay != 5*time.Microsecond || s.CNI.SetupDelay != 300*time.Millisecond ||
		s.Calibration.Cycles["vxlan"] != 900 || s.Workload.FileBytes != 10_000_000_000 || s.CNI.Mode != "vxlan" {
		t.Errorf("decoded %+v", s)
	}
	if p.Len() != 4 {
		t.Errorf("%d points, want 2 x 2", p.Len())
	}
}

func exampleFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../../scenarios/*.toml")
	if err != nil || len(files) < 4 {
		t.Fatalf("example scenarios: %v %v", files, err)
	}
	return files
}

// Every example decodes, and Resolved repeats it exactly: loading the
// resolved text gives the same plan and the same text again.
func TestExamplesResolveRoundTrip(t *testing.T) {
	t.Parallel()
	for _, f := range append(exampleFiles(t), "../run/testdata/small.toml") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			p1, err := Load(f, data, Options{})
			if err != nil {
				t.Fatal(err)
			}
			text := p1.Base.ResolvedString()
			p2, err := Load("resolved.toml", []byte(text), Options{})
			if err != nil {
				t.Fatalf("resolved text does not load: %v\n%s", err, text)
			}
			if !reflect.DeepEqual(p1.Base, p2.Base) || !reflect.DeepEqual(p1.Axes, p2.Axes) {
				t.Errorf("round trip changed the plan:\n%+v\n%+v", p1.Base, p2.Base)
			}
			if again := p2.Base.ResolvedString(); again != text {
				t.Errorf("resolved text not stable:\n%s\n---\n%s", text, again)
			}
			for _, k := range Keys() {
				if !strings.Contains(text, "\n"+k[strings.LastIndexByte(k, '.')+1:]+" = ") {
					t.Errorf("resolved text lacks %s", k)
				}
			}
		})
	}
}

func TestParseArrival(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		rate float64
		ok   bool
	}{{"burst", 0, true}, {"10/s", 10, true}, {"0.5/s", 0.5, true}, {"0/s", 0, false}, {"-1/s", 0, false}, {"10", 0, false}, {"fast", 0, false}, {"inf/s", 0, false}} {
		r, err := ParseArrival(c.in)
		if (err == nil) != c.ok || r != c.rate {
			t.Errorf("ParseArrival(%q) = %v, %v", c.in, r, err)
		}
	}
}
