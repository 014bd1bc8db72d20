package cni

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
)

// Host IP stack traversals (FIB + ip_forward) per inter-host packet on each
// node. Paper III.C "FIB & IP forwarding": twice for Flannel and Cali-*ipip
// ("between the bridge/veth and the tunnel, then between the tunnel and
// eth0"), once for Weave, Cilium, Kube-router and Cali-*xsub. The other
// tunnel modes follow the same shape (tunnel device behind the host stack).
func TestHostStackTraversals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plugin, mode string
		want         float64
	}{
		{"flannel", "vxlan", 2}, {"calico", "ipip", 2}, // quoted
		{"weave", "fastdp", 1}, {"cilium", "vxlan", 1}, {"kube-router", "native", 1}, {"calico", "native", 1}, // quoted
		{"flannel", "udp", 2}, {"flannel", "host-gw", 1}, {"calico", "vxlan", 2},
		{"cilium", "geneve", 1}, {"cilium", "native", 1}, {"kube-router", "ipip", 2}, {"kube-router", "gre", 2},
		{"weave", "sleeve", 1}, {"host", "host", 1},
	}
	for _, tt := range tests {
		c := counts(t, variant{plugin: tt.plugin, mode: tt.mode}, datapath.Inter)
		for _, side := range []datapath.Side{datapath.Src, datapath.Dst} {
			if got := c[side][datapath.IPForward]; got != tt.want {
				t.Errorf("%s/%s %s: %g host-stack traversals, want %g", tt.plugin, tt.mode, side, got, tt.want)
			}
		}
		if tt.plugin != "kube-router" && tt.plugin != "host" && c[datapath.Dst][datapath.FIB] != tt.want {
			t.Errorf("%s/%s: %g FIB lookups on dst, want one per traversal (%g)", tt.plugin, tt.mode, c[datapath.Dst][datapath.FIB], tt.want)
		}
	}
}

// Veth pairs: Weave adds a pair between bridge and OVS, so its inter-host
// path crosses 4 pairs against 2 for the others (paper III.C "Veth");
// intra-host every pod network crosses 2 (III.B "Veth"). Cilium's eBPF
// host routing (native-bpf, after the paper) enters the destination pod
// with bpf_redirect_peer, no veth crossing: 1 both ways.
func TestVethPairs(t *testing.T) {
	t.Parallel()
	for _, v := range allModes(t) {
		if v.plugin == "host" {
			continue
		}
		inter, intra := 2.0, 2.0
		switch {
		case v.plugin == "weave":
			inter = 4
		case v.plugin == "cilium" && v.mode == "native-bpf":
			inter, intra = 1, 1
		}
		if got := both(counts(t, v, datapath.Inter), datapath.Veth); got != inter {
			t.Errorf("%s inter: %g veth crossings, want %g", v.label, got, inter)
		}
		if got := both(counts(t, v, datapath.Intra), datapath.Veth); got != intra {
			t.Errorf("%s intra: %g veth crossings, want %g", v.label, got, intra)
		}
	}
}

// eBPF: only Cilium; more hooks inter-host than intra-host ("two additional
// eBPF hook points to attach with the overlay", paper III.C "eBPF").
func TestEBPFHooks(t *testing.T) {
	t.Parallel()
	for _, v := range allModes(t) {
		intra := both(counts(t, v, datapath.Intra), datapath.EBPF)
		inter := both(counts(t, v, datapath.Inter), datapath.EBPF)
		if v.plugin != "cilium" {
			if intra+inter != 0 {
				t.Errorf("%s: %g eBPF hooks, want none", v.label, intra+inter)
			}
			continue
		}
		if inter != intra+2 {
			t.Errorf("%s: %g eBPF hooks inter-host, %g intra-host; want 2 more inter-host", v.label, inter, intra)
		}
	}
}

// Kube-router counts the most FIB lookups (paper III.C, Fig. 6: the DSR
// routing table) on the receiver node, of every built-in configuration.
func TestKubeRouterMostFIB(t *testing.T) {
	t.Parallel()
	kr := counts(t, variant{plugin: "kube-router", mode: "native"}, datapath.Inter)[datapath.Dst][datapath.FIB]
	for _, v := range allModes(t) {
		if v.plugin == "kube-router" {
			continue
		}
		if got := counts(t, v, datapath.Inter)[datapath.Dst][datapath.FIB]; got >= kr {
			t.Errorf("%s: %g FIB lookups on the receiver >= kube-router's %g", v.label, got, kr)
		}
	}
}

// Intra-host forwarding element (paper III.B): Cilium redirects between
// veths with eBPF (no bridge, no IP forwarding, no netfilter); Calico routes
// through the host stack; Flannel, Weave, Kube-router bridge.
func TestIntraForwarding(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plugin                            string
		bridge, fwd, fib, netfilter, ebpf float64
	}{
		{"flannel", 1, 0, 0, 1, 0},
		{"weave", 1, 0, 0, 1, 0},
		{"kube-router", 1, 0, 0, 1, 0},
		{"calico", 0, 1, 1, 1, 0},
		{"cilium", 0, 0, 0, 0, 2},
	}
	for _, tt := range tests {
		m := builtin(t, tt.plugin)
		for _, md := range m.Modes {
			c := counts(t, variant{plugin: tt.plugin, mode: md.Name}, datapath.Intra)
			got := [5]float64{both(c, datapath.Bridge), both(c, datapath.IPForward), both(c, datapath.FIB), both(c, datapath.Netfilter), both(c, datapath.EBPF)}
			want := [5]float64{tt.bridge, tt.fwd, tt.fib, tt.netfilter, tt.ebpf}
			if got != want {
				t.Errorf("%s/%s intra bridge/ip_forward/fib/netfilter/ebpf = %v, want %v", tt.plugin, md.Name, got, want)
			}
		}
	}
}

// Bridge inter-host (paper III.C "Bridge"): on receive Flannel, Kube-router
// and Weave bridge from the tunnel to the pod; on transmit Flannel and
// Kube-router bypass the bridge (host IP stack) and Weave bridges into its
// extra veth pair. Cilium and Calico have no bridge.
func TestInterBridge(t *testing.T) {
	t.Parallel()
	want := map[string][2]float64{
		"flannel": {0, 1}, "kube-router": {0, 1}, "weave": {1, 1}, "cilium": {0, 0}, "calico": {0, 0}, "host": {0, 0},
	}
	for _, v := range allModes(t) {
		c := counts(t, v, datapath.Inter)
		if got := [2]float64{c[datapath.Src][datapath.Bridge], c[datapath.Dst][datapath.Bridge]}; got != want[v.plugin] {
			t.Errorf("%s: bridge src/dst = %v, want %v", v.label, got, want[v.plugin])
		}
	}
}

// Overlay stages: the tunnel's stage once per side for tunnel modes, OVS
// only for Weave fastdp, no tunnel stages for native routing.
func TestTunnelStages(t *testing.T) {
	t.Parallel()
	for _, v := range allModes(t) {
		m := builtin(t, v.plugin)
		md, _ := m.Mode(v.mode)
		c := counts(t, v, datapath.Inter)
		for _, k := range []datapath.Kind{datapath.VXLAN, datapath.Geneve, datapath.IPIP, datapath.GRE} {
			want := 0.0
			if tunnelKind[md.Encap] == k {
				want = 1
			}
			for side := range 2 {
				if c[side][k] != want {
					t.Errorf("%s side %d: %g %s stages, want %g", v.label, side, c[side][k], k, want)
				}
			}
		}
		ovs := 0.0
		if v.label == "weave/fastdp" {
			ovs = 1
		}
		if c[datapath.Src][datapath.OVS] != ovs || c[datapath.Dst][datapath.OVS] != ovs {
			t.Errorf("%s: OVS %v/%v, want %g per side", v.label, c[datapath.Src][datapath.OVS], c[datapath.Dst][datapath.OVS], ovs)
		}
	}
}

// Context switches (paper II.B): Flannel udp and Weave sleeve encapsulate in
// a user-space daemon: kernel->user and user->kernel on each node (with the
// veth, "three times"), run on the daemon's core. Every other mode stays in
// the kernel ("one context switch").
func TestUserspaceDaemons(t *testing.T) {
	t.Parallel()
	for _, v := range allModes(t) {
		p, err := builtin(t, v.plugin).Graph(v.mode, datapath.Inter, PathOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var user, daemon [2]int
		for _, s := range p.Steps {
			if s.Kind == datapath.Userspace {
				user[s.Side] += s.Count
				if s.Context != datapath.Daemon {
					t.Errorf("%s: userspace step in context %s, want daemon", v.label, s.Context)
				}
			}
			if s.Context == datapath.Daemon {
				daemon[s.Side]++
			}
		}
		want := 0
		if v.label == "flannel/udp" || v.label == "weave/sleeve" {
			want = 2
		}
		if user[0] != want || user[1] != want {
			t.Errorf("%s: userspace crossings src/dst %v, want %d each", v.label, user, want)
		}
		if (want == 0) != (daemon[0]+daemon[1] == 0) {
			t.Errorf("%s: daemon steps %v", v.label, daemon)
		}
	}
}

// Every path charges the full per-packet work: TCP at both ends, the
// copies (send side in the sender's context, receive side in Recv), the NIC
// on both sides inter-host; the send path starts in Send on src and the
// receive path runs in softirq (or the daemon) on dst. Netfilter: everyone
// but Cilium and the host baseline.
func TestFullPerPacketWork(t *testing.T) {
	t.Parallel()
	for _, v := range allModes(t) {
		for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
			p, err := builtin(t, v.plugin).Graph(v.mode, pl, PathOptions{})
			if err != nil {
				t.Fatal(err)
			}
			first, last := p.Steps[0], p.Steps[len(p.Steps)-1]
			if first.Kind != datapath.Syscall || first.Side != datapath.Src || first.Context != datapath.Send {
				t.Errorf("%s %s: first step %+v, want the send call (syscall) on src in send", v.label, pl, first)
			}
			for _, s := range p.Steps {
				if s.Kind < datapath.Netdev { // the first of the paper's stages
					if s.Kind != datapath.TCP || s.Side != datapath.Src || s.Context != datapath.Send {
						t.Errorf("%s %s: first paper stage %+v, want tcp on src in send", v.label, pl, s)
					}
					break
				}
			}
			if last.Kind != datapath.SocketCopy || last.Side != datapath.Dst || last.Context != datapath.Recv {
				t.Errorf("%s %s: last step %+v, want socket_copy on dst in recv", v.label, pl, last)
			}
			c := p.Counts()
			if c[datapath.Src][datapath.TCP] != 1 || c[datapath.Dst][datapath.TCP] != 1 ||
				c[datapath.Src][datapath.SocketCopy] != 1 || c[datapath.Dst][datapath.SocketCopy] != 1 {
				t.Errorf("%s %s: tcp/socket_copy counts %v", v.label, pl, c)
			}
			nic := 0.0
			if pl == datapath.Inter {
				nic = 1
			}
			if c[datapath.Src][datapath.NIC] != nic || c[datapath.Dst][datapath.NIC] != nic {
				t.Errorf("%s %s: nic %g/%g, want %g", v.label, pl, c[0][datapath.NIC], c[1][datapath.NIC], nic)
			}
			nf := both(c, datapath.Netfilter)
			if (v.plugin == "cilium" || v.plugin == "host") != (nf == 0) {
				t.Errorf("%s %s: %g netfilter stages", v.label, pl, nf)
			}
			for _, s := range p.Steps {
				if pl == datapath.Inter && s.Side == datapath.Dst && s.Context == datapath.Send {
					t.Errorf("%s: dst step %s in the sender's context", v.label, s.Kind)
				}
				if pl == datapath.Intra && s.Side == datapath.Src && s.Context != datapath.Send && s.Context != datapath.Softirq {
					t.Errorf("%s intra: src step %s in %s", v.label, s.Kind, s.Context)
				}
			}
		}
	}
}

// The host baseline has nothing but protocol, driver and generic kernel
// work (the generic kinds: syscalls, skbs, device dispatch, IP receive).
func TestHostBaseline(t *testing.T) {
	t.Parallel()
	allowed := map[datapath.Kind]bool{datapath.TCP: true, datapath.SocketCopy: true, datapath.FIB: true, datapath.IPForward: true, datapath.NIC: true}
	for _, k := range datapath.Kinds() {
		allowed[k] = allowed[k] || k >= datapath.Netdev
	}
	for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
		p, err := builtin(t, "host").Graph("host", pl, PathOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Steps {
			if !allowed[s.Kind] {
				t.Errorf("host %s has a %s stage", pl, s.Kind)
			}
		}
		if p.EncapBytes != 0 {
			t.Errorf("host %s: encap %d", pl, p.EncapBytes)
		}
	}
}

// Encryption adds an encrypt stage on each node and its bytes on the wire.
func TestEncryptionSteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plugin, mode string
		bytes        int
	}{
		{"weave", "fastdp", 50 + datapath.ESPOverhead},
		{"weave", "sleeve", 28 + datapath.NaClOverhead},
		{"cilium", "vxlan", 50 + 60},
		{"cilium", "native", 60},
	}
	for _, tt := range tests {
		m := builtin(t, tt.plugin)
		plain, _ := m.Graph(tt.mode, datapath.Inter, PathOptions{})
		enc, err := m.Graph(tt.mode, datapath.Inter, PathOptions{Encrypt: true})
		if err != nil {
			t.Fatal(err)
		}
		c := enc.Counts()
		if c[0][datapath.Encrypt] != 1 || c[1][datapath.Encrypt] != 1 || both(plain.Counts(), datapath.Encrypt) != 0 {
			t.Errorf("%s/%s: encrypt stages %g/%g", tt.plugin, tt.mode, c[0][datapath.Encrypt], c[1][datapath.Encrypt])
		}
		if enc.EncapBytes != tt.bytes {
			t.Errorf("%s/%s encrypted: %d bytes on the wire, want %d", tt.plugin, tt.mode, enc.EncapBytes, tt.bytes)
		}
	}
	for _, name := range []string{"flannel", "calico", "kube-router", "host"} {
		m := builtin(t, name)
		if _, err := m.Graph(m.DefaultMode, datapath.Inter, PathOptions{Encrypt: true}); err == nil {
			t.Errorf("%s: encryption should be rejected", name)
		}
	}
}
