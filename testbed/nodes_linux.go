//go:build linux

package testbed

import (
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Addresses of the two-node topologies: the wire between the nodes
// (10.78.0.0/24, as the VXLAN family's), each node's pod network
// (10.244.1.0/24 on node 1, 10.244.2.0/24 on node 2) and the L2
// overlays' device addresses (Geneve 10.80.0.0/24, VXLAN 10.81.0.0/24).
var (
	wireIP    = func(n int) string { return fmt.Sprintf("10.78.0.%d", n) }
	podNet    = func(n int) string { return fmt.Sprintf("10.244.%d.0/24", n) }
	overlayIP = func(family string, n int) string {
		if family == "vxlan-inter" {
			return fmt.Sprintf("10.81.0.%d", n)
		}
		return fmt.Sprintf("10.80.0.%d", n)
	}
	tunMAC   = func(n int) net.HardwareAddr { return net.HardwareAddr{0x0e, 0, 0, 0, 2, byte(n)} }
	nodeRole = func(n int) string { return fmt.Sprintf("n%d", n) }
)

// tunnelDev names each family's tunnel device (none for routed-inter).
// Not the kernel's per-namespace fallback devices (tunl0, gre0), which
// the first tunnel of a kind creates beside it, down and unused.
var tunnelDev = map[string]string{"ipip": "ipip1", "gre": "gre1", "geneve": "gnv1", "vxlan-inter": "vxlan1"}

// podBridge names the node's pod bridge of the families with bridged pods:
// kube-router's kube-bridge, Flannel's cni0.
var podBridge = map[string]string{"gre": "kube-bridge", "vxlan-inter": "cni0", "hostgw-inter": "cni0"}

// nodes is the two-node family: pod a behind node 1, pod b behind node 2,
// the nodes joined by a veth pair (the wire), the other node's pod network
// routed directly (routed-inter) or through a tunnel (ipip, gre, geneve).
// Pods are Calico-style routed (/32, 169.254.1.1 gateway, static
// neighbours), or bridged for gre (kube-router: pods on kube-bridge, its
// address their gateway), hostgw-inter (Flannel host-gw: pods on cni0,
// routed via the other node's wire address) and vxlan-inter (Flannel: pods
// on cni0, the nodes joined by a VXLAN device, VNI 1, UDP 8472). Pod devices take the tunnel's MTU, as CNIs set
// it, so TCP's segments and the UDP datagrams need no fragmenting.
func (t *Topology) nodes(family string) error {
	for _, r := range []struct {
		role string
		rt   bool
	}{{"n1", true}, {"n2", true}, {"a", false}, {"b", false}} {
		if err := t.ns(r.role, r.rt); err != nil {
			return err
		}
	}
	n1, n2 := nsName("n1"), nsName("n2")
	if err := veth(n1, "eth0", tunMAC(11), n2, "eth0", tunMAC(12)); err != nil {
		return err
	}
	for n := 1; n <= 2; n++ {
		if err := up(nsName(nodeRole(n)), "eth0", wireIP(n)+"/24"); err != nil {
			return err
		}
	}
	mtu := 1500
	if dev, ok := tunnelDev[family]; ok {
		for n := 1; n <= 2; n++ {
			m, err := tunnel(family, n, dev)
			if err != nil {
				return err
			}
			mtu = m
		}
	}
	pods := []struct {
		pod, dev, ip string
		node, i      int
	}{{"a", "va", "10.244.1.2", 1, 2}, {"b", "vb", "10.244.2.3", 2, 3}}
	for _, p := range pods {
		var err error
		if br, ok := podBridge[family]; ok {
			err = podBridged(nsName(nodeRole(p.node)), br, p.pod, p.dev, p.ip, p.node, p.i, mtu)
		} else {
			err = podL3At(nsName(nodeRole(p.node)), p.pod, p.dev, p.ip, p.i, mtu)
		}
		if err != nil {
			return err
		}
	}
	for n := 1; n <= 2; n++ {
		if err := routeToPods(family, n); err != nil {
			return err
		}
	}
	t.ServerIP = net.ParseIP("10.244.2.3")
	if dev, ok := tunnelDev[family]; ok {
		t.Notes = append(t.Notes, fmt.Sprintf("%s tunnel %s between %s and %s, pod MTU %d", family, dev, wireIP(1), wireIP(2), mtu))
	}
	return nil
}

// tunnel creates node n's tunnel device toward the other node and
// returns its MTU.
func tunnel(family string, n int, dev string) (int, error) {
	local, remote := net.ParseIP(wireIP(n)), net.ParseIP(wireIP(3-n))
	ns := nsName(nodeRole(n))
	h, err := handle(ns)
	if err != nil {
		return 0, err
	}
	defer h.Close()
	wire, err := h.LinkByName("eth0")
	if err != nil {
		return 0, err
	}
	var l netlink.Link
	hint := map[string]string{"ipip": "a kernel with CONFIG_NET_IPIP (modprobe ipip)", "gre": "a kernel with CONFIG_NET_IPGRE (modprobe ip_gre)",
		"geneve": "a kernel with CONFIG_GENEVE (modprobe geneve)", "vxlan-inter": "a kernel with CONFIG_VXLAN (modprobe vxlan)"}[family]
	switch family {
	case "ipip":
		l = &netlink.Iptun{LinkAttrs: netlink.LinkAttrs{Name: dev}, Local: local, Remote: remote, Link: uint32(wire.Attrs().Index), PMtuDisc: 1}
	case "gre":
		l = &netlink.Gretun{LinkAttrs: netlink.LinkAttrs{Name: dev}, Local: local, Remote: remote, Link: uint32(wire.Attrs().Index), PMtuDisc: 1}
	case "geneve":
		l = &netlink.Geneve{LinkAttrs: netlink.LinkAttrs{Name: dev, HardwareAddr: tunMAC(n)}, ID: 42, Remote: remote, Dport: 6081}
	case "vxlan-inter":
		l = &netlink.Vxlan{LinkAttrs: netlink.LinkAttrs{Name: dev, HardwareAddr: tunMAC(n)}, VxlanId: 1, Port: 8472,
			VtepDevIndex: wire.Attrs().Index, SrcAddr: local, Group: remote}
	}
	if err := h.LinkAdd(l); err != nil {
		return 0, &MissingError{What: family + " device: " + err.Error(), Hint: hint}
	}
	cidr := ""
	if family == "geneve" || family == "vxlan-inter" {
		cidr = overlayIP(family, n) + "/24"
	}
	if err := up(ns, dev, cidr); err != nil {
		return 0, err
	}
	got, err := h.LinkByName(dev)
	if err != nil {
		return 0, err
	}
	return got.Attrs().MTU, nil
}

// routeToPods routes node n's traffic for the other node's pod network:
// via the other node's wire address (routed-inter), into the point-to-
// point tunnel (ipip, gre), or via the other node's overlay address with
// a static neighbour for its MAC (the L2 overlays Geneve and VXLAN).
func routeToPods(family string, n int) error {
	ns := nsName(nodeRole(n))
	_, dst, _ := net.ParseCIDR(podNet(3 - n))
	dev := tunnelDev[family]
	if dev == "" {
		dev = "eth0"
	}
	return withLink(ns, dev, func(h *netlink.Handle, l netlink.Link) error {
		r := &netlink.Route{LinkIndex: l.Attrs().Index, Dst: dst}
		switch family {
		case "routed-inter", "hostgw-inter":
			r.Gw = net.ParseIP(wireIP(3 - n))
		case "geneve", "vxlan-inter":
			gw := net.ParseIP(overlayIP(family, 3-n))
			r.Gw = gw
			if err := h.NeighSet(&netlink.Neigh{LinkIndex: l.Attrs().Index, IP: gw, HardwareAddr: tunMAC(3 - n), State: netlink.NUD_PERMANENT, Family: unix.AF_INET}); err != nil {
				return fmt.Errorf("neighbour %s on %s/%s: %w", gw, ns, dev, err)
			}
		default:
			r.Scope = netlink.SCOPE_LINK
		}
		if err := h.RouteAdd(r); err != nil {
			return fmt.Errorf("route to %s in %s: %w", dst, ns, err)
		}
		return nil
	})
}

// podBridged attaches pod (device eth0, address ip/24) to a bridge
// brName in node ns that holds the pod network's .1 as the pods'
// gateway (kube-router's and Flannel's layout).
func podBridged(ns, brName, pod, hdev, ip string, node, i, mtu int) error {
	h, err := handle(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: brName, MTU: mtu}}
	if err := h.LinkAdd(br); err != nil {
		return &MissingError{What: "Linux bridge: " + err.Error(), Hint: "modprobe bridge"}
	}
	if err := up(ns, brName, fmt.Sprintf("10.244.%d.1/24", node)); err != nil {
		return err
	}
	if err := veth(ns, hdev, hostMAC(i), nsName(pod), "eth0", podMAC(i)); err != nil {
		return err
	}
	l, err := h.LinkByName(hdev)
	if err != nil {
		return err
	}
	if err := h.LinkSetMaster(l, br); err != nil {
		return err
	}
	if err := h.LinkSetMTU(l, mtu); err != nil {
		return err
	}
	if err := h.LinkSetUp(l); err != nil {
		return err
	}
	pn := nsName(pod)
	if err := setMTU(pn, "eth0", mtu); err != nil {
		return err
	}
	if err := up(pn, "eth0", ip+"/24"); err != nil {
		return err
	}
	return withLink(pn, "eth0", func(h *netlink.Handle, l netlink.Link) error {
		return h.RouteAdd(&netlink.Route{LinkIndex: l.Attrs().Index, Gw: net.ParseIP(fmt.Sprintf("10.244.%d.1", node))})
	})
}

func setMTU(ns, dev string, mtu int) error {
	return withLink(ns, dev, func(h *netlink.Handle, l netlink.Link) error { return h.LinkSetMTU(l, mtu) })
}
