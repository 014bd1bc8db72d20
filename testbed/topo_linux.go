//go:build linux

package testbed

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/cnisim/cnisim/testbed/bpfredirect"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Topology is a built configuration: where the traffic's ends are.
type Topology struct {
	Config     Config
	Namespaces []string
	SenderNS   string // client pod
	SenderDev  string // its data device (counters: data packets)
	ReceiverNS string // server pod
	RecvDev    string // its data device (counters: pure ACKs)
	ServerIP   net.IP
	Notes      []string // e.g. the bridge-nf-call-iptables value
	// ClientCPU is where the client thread runs when SplitCPUs (a -2cpu
	// configuration); otherwise it shares the server's CPU.
	ClientCPU int
	SplitCPUs bool
}

// clientCPU is the client's CPU when the server's is cpu.
func (t *Topology) clientCPU(cpu int) int {
	if t.SplitCPUs {
		return t.ClientCPU
	}
	return cpu
}

var (
	hostMAC = func(i int) net.HardwareAddr { return net.HardwareAddr{0x0e, 0, 0, 0, 1, byte(i)} }
	podMAC  = func(i int) net.HardwareAddr { return net.HardwareAddr{0x0a, 0, 0, 0, 1, byte(i)} }
)

// Build creates the namespaces and devices of c. On error everything
// with the prefix is removed again.
func Build(c Config) (t *Topology, err error) {
	defer func() {
		if err != nil {
			_, _ = Cleanup()
			err = fmt.Errorf("build %s: %w", c.Name, err)
		}
	}()
	t = &Topology{Config: c, SenderNS: nsName("a"), ReceiverNS: nsName("b"), SenderDev: "eth0", RecvDev: "eth0"}
	switch c.Family {
	case "routed", "ebpf-peer", "ebpf-egress":
		err = t.routed()
	case "bridge", "bridge-nf0":
		err = t.bridge(c.Family == "bridge")
	case "vxlan":
		err = t.vxlan()
	case "routed-inter", "hostgw-inter", "ipip", "gre", "geneve", "vxlan-inter":
		err = t.nodes(c.Family)
	case "esp":
		err = t.esp()
	default:
		err = fmt.Errorf("unknown family %q", c.Family)
	}
	if err != nil {
		return nil, err
	}
	switch c.Family {
	case "ebpf-peer", "ebpf-egress":
		mode := bpfredirect.Peer
		if c.Family == "ebpf-egress" {
			mode = bpfredirect.Egress
		}
		routes := []bpfredirect.Route{routeTo("10.244.1.2", "va", podMAC(2)), routeTo("10.244.1.3", "vb", podMAC(3))}
		if err := bpfredirect.Setup(nsName("h"), []string{"va", "vb"}, routes, mode); err != nil {
			return nil, &MissingError{What: "tc eBPF redirect: " + err.Error(), Hint: "kernel with clsact and bpf_redirect_peer (5.10+)"}
		}
	}
	switch c.Engine {
	case "iptables-legacy":
		err = runIn(nsName("h"), IptablesRules(c.Rules, t.ServerIP.String()), "iptables-legacy-restore")
	case "iptables-nft":
		err = runIn(nsName("h"), IptablesRules(c.Rules, t.ServerIP.String()), "iptables-nft-restore")
	case "nftables":
		err = runIn(nsName("h"), NftRules(c.Rules, t.ServerIP.String()), "nft", "-f", "-")
	}
	if err != nil {
		return nil, err
	}
	// One MTU-sized packet per skb on every device (DESIGN: offloads off
	// by default, the paper's per-packet regime), as capture.sh does.
	for _, ns := range t.Namespaces {
		if err := eachDev(ns, func(h *netlink.Handle, l netlink.Link) error { return h.LinkSetGSOMaxSegs(l, 1) }); err != nil {
			return nil, fmt.Errorf("gso_max_segs 1 in %s: %w", ns, err)
		}
		if c.Offload != "" {
			if err := offloadsOff(ns, c.Offload); err != nil {
				return nil, fmt.Errorf("%s in %s: %w", c.Offload, ns, err)
			}
		}
	}
	return t, nil
}

func routeTo(ip, dev string, mac net.HardwareAddr) bpfredirect.Route {
	r, _ := bpfredirect.ParseRoute(ip + "," + dev + "," + mac.String())
	return r
}

func (t *Topology) ns(role string, router bool) error {
	n := nsName(role)
	if err := newNS(n, router); err != nil {
		return err
	}
	t.Namespaces = append(t.Namespaces, n)
	return nil
}

// veth creates a pair in namespace ns of ours with the peer in peerNS.
func veth(ns, name string, mac net.HardwareAddr, peerNS, peer string, peerMAC net.HardwareAddr) error {
	h, err := handle(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	pfd, err := netns.GetFromName(peerNS)
	if err != nil {
		return err
	}
	defer pfd.Close()
	v := netlink.NewVeth(netlink.LinkAttrs{Name: name, HardwareAddr: mac})
	v.PeerName, v.PeerHardwareAddr, v.PeerNamespace = peer, peerMAC, netlink.NsFd(pfd)
	if err := h.LinkAdd(v); err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) {
			return &MissingError{What: "veth", Hint: "modprobe veth"}
		}
		return fmt.Errorf("veth %s/%s - %s/%s: %w", ns, name, peerNS, peer, err)
	}
	return nil
}

// up sets a device up and optionally gives it an address.
func up(ns, dev, cidr string) error {
	return withLink(ns, dev, func(h *netlink.Handle, l netlink.Link) error {
		if cidr != "" {
			a, err := netlink.ParseAddr(cidr)
			if err != nil {
				return err
			}
			if err := h.AddrAdd(l, a); err != nil {
				return fmt.Errorf("address %s on %s/%s: %w", cidr, ns, dev, err)
			}
		}
		return h.LinkSetUp(l)
	})
}

// routed is Calico's pod network: pods with a /32 and a 169.254.1.1
// gateway that is a static neighbour (the host veth's MAC); the host
// namespace forwards with a /32 route and a static neighbour per pod.
func (t *Topology) routed() error {
	for _, r := range []struct {
		role string
		rt   bool
	}{{"h", true}, {"a", false}, {"b", false}} {
		if err := t.ns(r.role, r.rt); err != nil {
			return err
		}
	}
	if err := podL3("a", "va", "10.244.1.2", 2); err != nil {
		return err
	}
	if err := podL3("b", "vb", "10.244.1.3", 3); err != nil {
		return err
	}
	t.ServerIP = net.ParseIP("10.244.1.3")
	return nil
}

func podL3(pod, hdev, ip string, i int) error { return podL3At(nsName("h"), pod, hdev, ip, i, 0) }

// podL3At attaches pod to the host (or node) namespace hn the Calico way;
// mtu > 0 sets both ends' MTU.
func podL3At(hn, pod, hdev, ip string, i, mtu int) error {
	pn := nsName(pod)
	if err := veth(hn, hdev, hostMAC(i), pn, "eth0", podMAC(i)); err != nil {
		return err
	}
	if mtu > 0 {
		if err := setMTU(hn, hdev, mtu); err != nil {
			return err
		}
		if err := setMTU(pn, "eth0", mtu); err != nil {
			return err
		}
	}
	if err := up(hn, hdev, ""); err != nil {
		return err
	}
	if err := up(pn, "eth0", ip+"/32"); err != nil {
		return err
	}
	gw := net.ParseIP("169.254.1.1")
	pip := net.ParseIP(ip)
	if err := withLink(pn, "eth0", func(h *netlink.Handle, l netlink.Link) error {
		idx := l.Attrs().Index
		if err := h.RouteAdd(&netlink.Route{LinkIndex: idx, Dst: hostNet(gw), Scope: netlink.SCOPE_LINK}); err != nil {
			return fmt.Errorf("route to the gateway: %w", err)
		}
		if err := h.RouteAdd(&netlink.Route{LinkIndex: idx, Gw: gw}); err != nil {
			return fmt.Errorf("default route: %w", err)
		}
		return h.NeighSet(&netlink.Neigh{LinkIndex: idx, IP: gw, HardwareAddr: hostMAC(i), State: netlink.NUD_PERMANENT, Family: unix.AF_INET})
	}); err != nil {
		return err
	}
	if err := inNS(hn, func() error { return sysctl("net/ipv4/conf/"+hdev+"/proxy_arp", "1") }); err != nil {
		return err
	}
	return withLink(hn, hdev, func(h *netlink.Handle, l netlink.Link) error {
		idx := l.Attrs().Index
		if err := h.RouteAdd(&netlink.Route{LinkIndex: idx, Dst: hostNet(pip), Scope: netlink.SCOPE_LINK}); err != nil {
			return fmt.Errorf("host route to %s: %w", ip, err)
		}
		return h.NeighSet(&netlink.Neigh{LinkIndex: idx, IP: pip, HardwareAddr: podMAC(i), State: netlink.NUD_PERMANENT, Family: unix.AF_INET})
	})
}

func hostNet(ip net.IP) *net.IPNet { return &net.IPNet{IP: ip.To4(), Mask: net.CIDRMask(32, 32)} }

func withLink(ns, dev string, f func(*netlink.Handle, netlink.Link) error) error {
	h, err := handle(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	l, err := h.LinkByName(dev)
	if err != nil {
		return fmt.Errorf("%s in %s: %w", dev, ns, err)
	}
	return f(h, l)
}

func eachDev(ns string, f func(*netlink.Handle, netlink.Link) error) error {
	h, err := handle(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	ls, err := h.LinkList()
	if err != nil {
		return err
	}
	for _, l := range ls {
		if l.Attrs().Name == "lo" {
			continue
		}
		if err := f(h, l); err != nil {
			return fmt.Errorf("%s: %w", l.Attrs().Name, err)
		}
	}
	return nil
}

// bridge is Flannel host-gw / kube-router intra-host: pods on one /24,
// their host veths on a Linux bridge in the host namespace.
func (t *Topology) bridge(nf bool) error {
	for _, r := range []string{"h", "a", "b"} {
		if err := t.ns(r, false); err != nil {
			return err
		}
	}
	hn := nsName("h")
	h, err := handle(hn)
	if err != nil {
		return err
	}
	defer h.Close()
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}}
	if err := h.LinkAdd(br); err != nil {
		return &MissingError{What: "Linux bridge: " + err.Error(), Hint: "modprobe bridge"}
	}
	if err := h.LinkSetUp(br); err != nil {
		return err
	}
	for i, pod := range []string{"a", "b"} {
		dev := "v" + pod
		if err := veth(hn, dev, hostMAC(i+1), nsName(pod), "eth0", podMAC(i+1)); err != nil {
			return err
		}
		l, err := h.LinkByName(dev)
		if err != nil {
			return err
		}
		if err := h.LinkSetMaster(l, br); err != nil {
			return err
		}
		if err := h.LinkSetUp(l); err != nil {
			return err
		}
		if err := up(nsName(pod), "eth0", fmt.Sprintf("10.77.0.%d/24", i+1)); err != nil {
			return err
		}
	}
	t.ServerIP = net.ParseIP("10.77.0.2")
	v := "absent (br_netfilter not loaded)"
	const key = "net/bridge/bridge-nf-call-iptables"
	err = inNS(hn, func() error {
		if _, err := os.Stat("/proc/sys/" + key); err != nil {
			return nil
		}
		if !nf {
			if err := sysctl(key, "0"); err != nil {
				return err
			}
		}
		if b, err := os.ReadFile("/proc/sys/" + key); err == nil {
			v = strings.TrimSpace(string(b))
		}
		return nil
	})
	if err != nil {
		return err
	}
	t.Notes = append(t.Notes, "bridge-nf-call-iptables="+v)
	return nil
}

// vxlan is an overlay between two "nodes": each namespace has a VXLAN
// device (VNI 42, UDP 4789) over one veth pair standing for the wire.
func (t *Topology) vxlan() error {
	for _, r := range []string{"a", "b"} {
		if err := t.ns(r, false); err != nil {
			return err
		}
	}
	if err := veth(nsName("a"), "eth0", podMAC(1), nsName("b"), "eth0", podMAC(2)); err != nil {
		return err
	}
	for i, pod := range []string{"a", "b"} {
		ns := nsName(pod)
		if err := up(ns, "eth0", fmt.Sprintf("10.78.0.%d/24", i+1)); err != nil {
			return err
		}
		err := withLink(ns, "eth0", func(h *netlink.Handle, l netlink.Link) error {
			vx := &netlink.Vxlan{LinkAttrs: netlink.LinkAttrs{Name: "vx0"}, VxlanId: 42, Port: 4789,
				VtepDevIndex: l.Attrs().Index,
				SrcAddr:      net.ParseIP(fmt.Sprintf("10.78.0.%d", i+1)),
				Group:        net.ParseIP(fmt.Sprintf("10.78.0.%d", 2-i))}
			if err := h.LinkAdd(vx); err != nil {
				return &MissingError{What: "VXLAN device: " + err.Error(), Hint: "modprobe vxlan"}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := up(ns, "vx0", fmt.Sprintf("10.79.0.%d/24", i+1)); err != nil {
			return err
		}
	}
	t.SenderDev, t.RecvDev = "vx0", "vx0"
	t.ServerIP = net.ParseIP("10.79.0.2")
	return nil
}
