package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// snap prints, read within a few milliseconds of each other by netlink:
//
//	MONO TX_PACKETS TX_BYTES ACK_PACKETS BYTES_RECEIVED BYTES_SENT
//
// MONO is CLOCK_MONOTONIC in seconds at the midpoint of the reads (perf's
// clock with -k CLOCK_MONOTONIC); TX_* are the sender device's transmit
// counters, ACK_PACKETS the receiver device's transmitted packets (pure
// ACKs), BYTES_RECEIVED the receiver sockets' tcpi_bytes_received on PORT
// and BYTES_SENT the sender sockets' tcpi_bytes_sent to PORT.
//
//	sender snap SENDER_NS SENDER_DEV RECEIVER_NS RECEIVER_DEV PORT
func snap(args []string) error {
	if len(args) != 5 {
		return fmt.Errorf("usage: sender snap SENDER_NS SENDER_DEV RECEIVER_NS RECEIVER_DEV PORT")
	}
	port, err := strconv.ParseUint(args[4], 10, 16)
	if err != nil {
		return fmt.Errorf("snap: port %q: %v", args[4], err)
	}
	sh, err := handle(args[0])
	if err != nil {
		return err
	}
	defer sh.Close()
	rh, err := handle(args[2])
	if err != nil {
		return err
	}
	defer rh.Close()
	m0 := mono()
	sl, err := sh.LinkByName(args[1])
	if err != nil {
		return fmt.Errorf("snap: %s in %s: %v", args[1], args[0], err)
	}
	rl, err := rh.LinkByName(args[3])
	if err != nil {
		return fmt.Errorf("snap: %s in %s: %v", args[3], args[2], err)
	}
	var recv, sent uint64
	rs, err := rh.SocketDiagTCPInfo(unix.AF_INET)
	if err != nil {
		return fmt.Errorf("snap: sock_diag in %s: %v", args[2], err)
	}
	for _, s := range rs {
		if s.InetDiagMsg.ID.SourcePort == uint16(port) && s.TCPInfo != nil && s.InetDiagMsg.State == netlink.TCP_ESTABLISHED {
			recv += s.TCPInfo.Bytes_received
		}
	}
	ss, err := sh.SocketDiagTCPInfo(unix.AF_INET)
	if err != nil {
		return fmt.Errorf("snap: sock_diag in %s: %v", args[0], err)
	}
	for _, s := range ss {
		if s.InetDiagMsg.ID.DestinationPort == uint16(port) && s.TCPInfo != nil && s.InetDiagMsg.State == netlink.TCP_ESTABLISHED {
			sent += s.TCPInfo.Bytes_sent
		}
	}
	m1 := mono()
	st, rt := sl.Attrs().Statistics, rl.Attrs().Statistics
	if st == nil || rt == nil {
		return fmt.Errorf("snap: no device statistics")
	}
	fmt.Printf("%.6f %d %d %d %d %d\n", (m0+m1)/2, st.TxPackets, st.TxBytes, rt.TxPackets, recv, sent)
	return nil
}

func handle(name string) (*netlink.Handle, error) {
	ns, err := netns.GetFromName(name)
	if err != nil {
		return nil, fmt.Errorf("snap: namespace %q: %v", name, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, fmt.Errorf("snap: netlink in %q: %v", name, err)
	}
	return h, nil
}

func mono() float64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	return float64(ts.Sec) + float64(ts.Nsec)/1e9
}
