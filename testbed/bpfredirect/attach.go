//go:build linux

package bpfredirect

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Route names a destination by device, as a user writes it: packets to Dst
// go out through Dev (a host-side veth in the namespace the program is
// attached in) to the pod whose eth0 has MAC.
type Route struct {
	Dst netip.Addr
	Dev string
	MAC net.HardwareAddr
}

// ParseRoute reads "IP,DEV,MAC", e.g. "10.244.1.3,vb,0a:00:00:00:01:03".
func ParseRoute(s string) (Route, error) {
	f := strings.Split(s, ",")
	if len(f) != 3 {
		return Route{}, fmt.Errorf("route %q: want IP,DEV,MAC", s)
	}
	ip, err := netip.ParseAddr(f[0])
	if err != nil || !ip.Is4() {
		return Route{}, fmt.Errorf("route %q: %q is not an IPv4 address", s, f[0])
	}
	if f[1] == "" || len(f[1]) >= unix.IFNAMSIZ {
		return Route{}, fmt.Errorf("route %q: device name must be 1..%d characters", s, unix.IFNAMSIZ-1)
	}
	mac, err := net.ParseMAC(f[2])
	if err != nil || len(mac) != 6 {
		return Route{}, fmt.Errorf("route %q: %q is not a 6-byte MAC address", s, f[2])
	}
	return Route{Dst: ip, Dev: f[1], MAC: mac}, nil
}

// Setup resolves routes in the named network namespace (ifindex and MAC of
// each device), loads the program and attaches it in direct-action mode to
// the tc ingress (a clsact qdisc) of every device in attach, as Cilium's
// classic tc attachment does. The filters hold the program: it stays until
// the devices or the namespace are deleted, after this process exits.
func Setup(nsName string, attach []string, routes []Route, mode Mode) error {
	ns, err := netns.GetFromName(nsName)
	if err != nil {
		return fmt.Errorf("bpfredirect: namespace %q: %w", nsName, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return fmt.Errorf("bpfredirect: netlink in %q: %w", nsName, err)
	}
	defer h.Close()
	hops := make([]Hop, 0, len(routes))
	for _, r := range routes {
		l, err := h.LinkByName(r.Dev)
		if err != nil {
			return fmt.Errorf("bpfredirect: route to %v: device %q in %q: %w", r.Dst, r.Dev, nsName, err)
		}
		hops = append(hops, Hop{Dst: r.Dst, DstMAC: r.MAC, SrcMAC: l.Attrs().HardwareAddr, Ifindex: l.Attrs().Index})
	}
	prog, err := Load(hops, mode)
	if err != nil {
		return err
	}
	defer prog.Close() // the filters keep their own reference
	if len(attach) == 0 {
		return errors.New("bpfredirect: no device to attach to")
	}
	for _, dev := range attach {
		if err := attachIngress(h, dev, prog); err != nil {
			return fmt.Errorf("bpfredirect: attach to %q in %q: %w", dev, nsName, err)
		}
	}
	return nil
}

func attachIngress(h *netlink.Handle, dev string, prog *ebpf.Program) error {
	l, err := h.LinkByName(dev)
	if err != nil {
		return err
	}
	idx := l.Attrs().Index
	q := &netlink.GenericQdisc{
		QdiscAttrs: netlink.QdiscAttrs{LinkIndex: idx, Handle: netlink.MakeHandle(0xffff, 0), Parent: netlink.HANDLE_CLSACT},
		QdiscType:  "clsact",
	}
	if err := h.QdiscReplace(q); err != nil {
		return fmt.Errorf("clsact qdisc: %w", err)
	}
	f := &netlink.BpfFilter{
		FilterAttrs: netlink.FilterAttrs{
			LinkIndex: idx,
			Parent:    netlink.HANDLE_MIN_INGRESS,
			Handle:    netlink.MakeHandle(0, 1),
			Protocol:  unix.ETH_P_ALL,
			Priority:  1,
		},
		Fd:           prog.FD(),
		Name:         ProgName,
		DirectAction: true,
	}
	if err := h.FilterReplace(f); err != nil {
		return fmt.Errorf("bpf filter: %w", err)
	}
	return nil
}
