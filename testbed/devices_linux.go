//go:build linux

package testbed

import (
	"fmt"
	"net"
	"sort"
	"unsafe"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Legacy ethtool commands that read or set one offload flag
// (linux/ethtool.h, struct ethtool_value).
const (
	ethtoolGTSO = 0x1e
	ethtoolSTSO = 0x1f
	ethtoolGGSO = 0x23
	ethtoolSGSO = 0x24
	ethtoolGGRO = 0x2b
	ethtoolSGRO = 0x2c
)

// ethtoolValue runs one legacy ethtool command on dev (struct
// ethtool_value: cmd, data) with SIOCETHTOOL on fd's namespace.
func ethtoolValue(fd int, dev string, cmd, data uint32) (uint32, error) {
	val := struct{ Cmd, Data uint32 }{Cmd: cmd, Data: data}
	var ifr [40]byte
	copy(ifr[:unix.IFNAMSIZ-1], dev)
	*(*uintptr)(unsafe.Pointer(&ifr[unix.IFNAMSIZ])) = uintptr(unsafe.Pointer(&val))
	if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr))); e != 0 {
		return 0, e
	}
	return val.Data, nil
}

// offloadsOff turns an offload off on every device of namespace ns (lo
// aside): nogso TSO and GSO, nogro GRO. A device that does not let the
// flag go off (EOPNOTSUPP: fixed in its features) is an error, since the
// configuration would measure what its name denies.
func offloadsOff(ns, which string) error {
	cmds := map[string][]uint32{"nogso": {ethtoolSTSO, ethtoolSGSO}, "nogro": {ethtoolSGRO}}[which]
	if cmds == nil {
		return fmt.Errorf("offload %q (valid: nogso, nogro)", which)
	}
	h, err := handle(ns)
	if err != nil {
		return err
	}
	ls, err := h.LinkList()
	h.Close()
	if err != nil {
		return err
	}
	return inNS(ns, func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		for _, l := range ls {
			name := l.Attrs().Name
			if name == "lo" || l.Attrs().Flags&net.FlagUp == 0 {
				continue // lo, and the kernel's unused fallback tunnels
			}
			for _, c := range cmds {
				if _, err := ethtoolValue(fd, name, c, 0); err != nil {
					return fmt.Errorf("ethtool %#x off on %s: %w", c, name, err)
				}
			}
		}
		return nil
	})
}

// ethtoolFlag reads one flag of dev with SIOCETHTOOL on a socket opened in
// the calling thread's namespace: "on", "off" or "?" when the driver does
// not say.
func ethtoolFlag(fd int, dev string, cmd uint32) string {
	v, err := ethtoolValue(fd, dev, cmd, 0)
	switch {
	case err != nil:
		return "?"
	case v != 0:
		return "on"
	}
	return "off"
}

// Inventory lists every device of the topology (lo aside) with its
// addresses, MTU, gso_max_segs and TSO/GSO/GRO flags, sorted by
// namespace and name: the offload flags the measurement ran with, and
// what the construction tests check.
func Inventory(t *Topology) ([]Device, error) {
	var out []Device
	for _, ns := range t.Namespaces {
		h, err := handle(ns)
		if err != nil {
			return nil, err
		}
		ls, err := h.LinkList()
		if err != nil {
			h.Close()
			return nil, err
		}
		var devs []Device
		err = inNS(ns, func() error {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				return err
			}
			defer unix.Close(fd)
			for _, l := range ls {
				a := l.Attrs()
				if a.Name == "lo" {
					continue
				}
				d := Device{NS: ns, Name: a.Name, Kind: l.Type(), MTU: a.MTU, GSOMaxSegs: a.GSOMaxSegs,
					TSO: ethtoolFlag(fd, a.Name, ethtoolGTSO), GSO: ethtoolFlag(fd, a.Name, ethtoolGGSO), GRO: ethtoolFlag(fd, a.Name, ethtoolGGRO)}
				addrs, err := h.AddrList(l, unix.AF_INET)
				if err != nil {
					return fmt.Errorf("addresses of %s/%s: %w", ns, a.Name, err)
				}
				for _, ad := range addrs {
					d.Addrs = append(d.Addrs, ad.IPNet.String())
				}
				devs = append(devs, d)
			}
			return nil
		})
		h.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, devs...)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].NS != out[j].NS {
			return out[i].NS < out[j].NS
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// linkStats are a device's counters.
type linkStats struct{ txPackets, txBytes, rxPackets uint64 }

func readStats(h *netlink.Handle, dev string) (linkStats, error) {
	l, err := h.LinkByName(dev)
	if err != nil {
		return linkStats{}, err
	}
	s := l.Attrs().Statistics
	if s == nil {
		return linkStats{}, fmt.Errorf("%s: no statistics", dev)
	}
	return linkStats{s.TxPackets, s.TxBytes, s.RxPackets}, nil
}
