package cni

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

func TestBuiltins(t *testing.T) {
	t.Parallel()
	want := []string{"flannel", "weave", "cilium", "calico", "kube-router", "host"}
	if !slices.Equal(Names(), want) {
		t.Fatalf("Names() = %v, want %v", Names(), want)
	}
	// Every embedded file is a listed built-in and vice versa.
	ents, err := builtinFS.ReadDir("models")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range ents {
		files = append(files, strings.TrimSuffix(e.Name(), ".toml"))
	}
	slices.Sort(files)
	sorted := slices.Sorted(slices.Values(want))
	if !slices.Equal(files, sorted) {
		t.Errorf("embedded models %v, built-ins %v", files, sorted)
	}
	modes := map[string][]string{ // DESIGN 2, "Datapath graphs"
		"flannel": {"vxlan", "udp", "host-gw"}, "weave": {"fastdp", "sleeve"},
		"cilium": {"vxlan", "geneve", "native", "native-bpf"}, "calico": {"ipip", "vxlan", "native"},
		"kube-router": {"native", "ipip", "gre"}, "host": {"host"},
	}
	for _, n := range want {
		m, err := Load(n)
		if err != nil {
			t.Fatal(err)
		}
		if m.Name != n || m.Source != "builtin" || !slices.Equal(m.ModeNames(), modes[n]) || m.DefaultMode != modes[n][0] {
			t.Errorf("%s: name %q modes %v default %q", n, m.Name, m.ModeNames(), m.DefaultMode)
		}
	}
	if _, err := Builtin("antrea"); err == nil || !strings.Contains(err.Error(), "flannel, weave") {
		t.Errorf("Builtin(antrea) error %v should list the built-ins", err)
	}
	if _, err := Load("no-such-plugin"); err == nil || !strings.Contains(err.Error(), "neither a built-in") {
		t.Errorf("Load(no-such-plugin) = %v", err)
	}
}

// A user's model file loads like a built-in and runs with the paper profile.
func TestLoadUserModel(t *testing.T) {
	t.Parallel()
	m, err := Load("testdata/antrea.toml")
	if err != nil {
		t.Fatal(err)
	}
	if m.Name != "antrea" || m.Source != "testdata/antrea.toml" || m.DefaultMode != "encap" {
		t.Errorf("antrea: %+v", m)
	}
	p := loadPaper(t)
	for _, md := range m.ModeNames() {
		for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
			if _, err := m.Path(md, pl, PathOptions{PolicyRules: 100}, p); err != nil {
				t.Errorf("antrea %s %s: %v", md, pl, err)
			}
		}
	}
	cp, _ := m.Path("encap", datapath.Inter, PathOptions{Encrypt: true}, p)
	if cp.EncapBytes != 50+datapath.ESPOverhead {
		t.Errorf("antrea encap+ESP: %d bytes", cp.EncapBytes)
	}
	if r := m.Row(); r.NetworkModel != "Hybrid+Overlay/Underlay" && r.NetworkModel != "Hybrid+Underlay/Overlay" {
		t.Errorf("antrea row %+v", r)
	}
}

// Invalid files are rejected with the file, the line where there is one,
// and what is wrong (with the allowed values).
func TestLoadErrors(t *testing.T) {
	base, err := os.ReadFile("testdata/antrea.toml")
	if err != nil {
		t.Fatal(err)
	}
	src := string(base)
	lineOf := func(s, needle string) string {
		for i, l := range strings.Split(s, "\n") {
			if strings.Contains(l, needle) {
				return ":" + strconv.Itoa(i+1) + ":"
			}
		}
		return ":?:"
	}
	tests := []struct {
		name, old, new string
		want           []string // substrings of the error
		lineOfNew      bool     // the error names the line of the edit
	}{
		{"unknown stage", `stage = "geneve",      side = "dst"`, `stage = "genev",      side = "dst"`,
			[]string{`unknown stage kind "genev"`, "valid: veth, bridge"}, true},
		{"unknown side", `{ stage = "ovs",         side = "dst"`, `{ stage = "ovs",         side = "down"`,
			[]string{`unknown side "down"`, "valid: src, dst"}, true},
		{"unknown context", `side = "dst", context = "recv" },
]

[[mode]]
name = "noencap"`, `side = "dst", context = "app" },
]

[[mode]]
name = "noencap"`, []string{`unknown context "app"`, "send, softirq, daemon, recv"}, true},
		{"unknown top key", `features = [`, `feature = [`, []string{`unknown key "feature"`, "default_mode"}, true},
		{"misspelt case", `default_mode = "encap"`, `Default_Mode = "encap"`, []string{`unknown key "Default_Mode"`}, true},
		{"unknown mode key", `encryption = "esp"`, "encryption = \"esp\"\nmtu_rules = \"all\"",
			[]string{`unknown key "mtu_rules"`, "mtu_rule"}, true},
		{"device_offloads value", `encryption = "esp"`, "device_offloads = { esp = \"tso\" }\nencryption = \"esp\"",
			[]string{"device_offloads", `esp = "tso"`, `allowed a comma list of gso, gro, or "none"`}, true},
		{"device_offloads device", `encryption = "esp"`, "device_offloads = { ethx = \"gso\" }\nencryption = \"esp\"",
			[]string{`unknown key "ethx"`, "device_offloads", "esp, geneve"}, true},
		{"default mode missing", `default_mode = "encap"`, `default_mode = "tunnel"`,
			[]string{`default_mode "tunnel" is not a mode`, "modes: encap, noencap"}, true},
		{"no default", "default_mode = \"encap\"\n", "", []string{"missing default_mode"}, false},
		{"network model", `network_model = "Hybrid+Overlay"`, `network_model = "L2+Overlay"`,
			[]string{`"L2+Overlay"`, "valid: L3+Overlay, L3+Underlay, Hybrid+Overlay, Hybrid+Underlay"}, true},
		{"encap", `encapsulation = "geneve"`, `encapsulation = "stt"`, []string{`unknown encapsulation "stt"`}, true},
		{"engine", `policy_engine = "ovs"`, `policy_engine = "pf"`, []string{`"pf"`, "iptables, nftables, ipvs, ebpf, ovs"}, true},
		{"engines unknown", `policy_engine = "ovs"`, "policy_engines = [\"ovs\", \"pf\"]\npolicy_engine = \"ovs\"", []string{"policy_engines", `"pf"`, "iptables, nftables, ipvs, ebpf, ovs"}, true},
		{"engines without default", `policy_engine = "ovs"`, "policy_engines = [\"ebpf\"]\npolicy_engine = \"ovs\"", []string{"policy_engines", `must list the default policy_engine "ovs"`}, true},
		{"engines twice", `policy_engine = "ovs"`, "policy_engines = [\"ovs\", \"ebpf\", \"ebpf\"]\npolicy_engine = \"ovs\"", []string{"policy_engines", `"ebpf" listed twice`}, true},
		{"engines none", `policy_engine = "ovs"`, "policy_engines = [\"ovs\", \"none\"]\npolicy_engine = \"ovs\"", []string{"policy_engines", `"none"`}, true},
		{"empty path", `inter = [
  { stage = "tcp",         side = "src", context = "send" },
  { stage = "socket_copy", side = "src", context = "send" },
  { stage = "veth",        side = "src", context = "send" },
  { stage = "ovs",         side = "src", context = "send", policy = true, rules = true },
  { stage = "geneve"`, `inter = []
bogus = [
  { stage = "geneve"`, []string{"unknown key"}, false},
		{"count", `{ stage = "fib",         side = "dst", context = "softirq" },
  { stage = "ip_forward",  side = "dst", context = "softirq" },
  { stage = "encrypt"`, `{ stage = "fib",         side = "dst", context = "softirq", count = 0 },
  { stage = "ip_forward",  side = "dst", context = "softirq" },
  { stage = "encrypt"`, []string{"count 0, want 1..64"}, true},
		{"syntax", `name = "antrea"`, `name = "antrea`, []string{"line", "antrea.toml"}, false},
		{"missing tunnel stage", `  { stage = "geneve",      side = "dst", context = "softirq" },
`, "", []string{"needs a geneve step on both src and dst"}, false},
		{"src after dst", `  { stage = "socket_copy", side = "dst", context = "recv" },
]

[[mode]]
name = "noencap"`, `  { stage = "socket_copy", side = "dst", context = "recv" },
  { stage = "veth", side = "src", context = "send" },
]

[[mode]]
name = "noencap"`, []string{"src step after dst steps"}, false},
	}
	for _, tt := range tests {
		if !strings.Contains(src, tt.old) {
			t.Fatalf("%s: fixture text %q not found", tt.name, tt.old)
		}
		bad := strings.Replace(src, tt.old, tt.new, 1)
		_, err := Parse("antrea.toml", []byte(bad))
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "antrea.toml") {
			t.Errorf("%s: error %q does not name the file", tt.name, msg)
		}
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: error %q lacks %q", tt.name, msg, w)
			}
		}
		if tt.lineOfNew {
			needle := strings.SplitN(tt.new, "\n", 2)[0]
			if tt.name == "unknown mode key" {
				needle = "mtu_rules"
			}
			if l := lineOf(bad, needle); !strings.Contains(msg, "antrea.toml"+l) {
				t.Errorf("%s: error %q should point at line %s", tt.name, msg, l)
			}
		}
	}
}

func TestLoadFromFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f := filepath.Join(dir, "x.toml")
	if err := os.WriteFile(f, []byte("name = \"x\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(f); err == nil || !strings.Contains(err.Error(), f) || !strings.Contains(err.Error(), "no modes") {
		t.Errorf("Load(x.toml) = %v", err)
	}
}
