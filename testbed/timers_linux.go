package testbed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

const (
	timersPort = 5001
	// timersTable drops what the sender sends, in the receiver's
	// namespace (its input hook: the frames are on the wire).
	timersTable = "cnitbtimers"
)

var (
	timersSender   = [4]byte{10, 91, 0, 1}
	timersReceiver = [4]byte{10, 91, 0, 2}
)

// MeasureTimers builds a sender and a receiver namespace joined by a veth
// pair (offloads off, static neighbours) and runs o.Tries flights (the
// benchmark's comment in timers.go). It holds the testbed's lock and
// removes every namespace with the prefix on return.
func MeasureTimers(ctx context.Context, o TimersOptions) (*TimersRun, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if os.Geteuid() != 0 {
		return nil, ErrNotRoot
	}
	if _, err := lookPath("nft"); err != nil {
		return nil, &MissingError{What: "nft", Hint: "apt-get install -y nftables"}
	}
	release, m, err := takeTestbed(ctx, o.LockWait, lastCPU(), o.Log)
	if err != nil {
		return nil, err
	}
	defer release()
	snd, rcv := nsName("ts"), nsName("tr")
	if err := buildTimers(snd, rcv); err != nil {
		return nil, err
	}
	var ln net.Listener
	if err := inNS(rcv, func() error {
		var err error
		ln, err = net.Listen("tcp4", fmt.Sprintf("%s:%d", net.IP(timersReceiver[:]), timersPort))
		return err
	}); err != nil {
		return nil, err
	}
	defer ln.Close()
	go echoServer(ln)
	r := &TimersRun{Command: o.Command, Date: time.Now().UTC().Format(time.RFC3339), Kernel: kernelRelease(), HZ: kernelHZ(), Segments: o.Segments,
		CPUModel: m.model, Loadavg: loadavg()}
	for k := range o.Tries {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("stopped after %d tries: %w", k, context.Cause(ctx))
		}
		t, err := timersTry(snd, rcv, o.Segments)
		if err != nil {
			return nil, fmt.Errorf("try %d: %w", k+1, err)
		}
		r.Tries = append(r.Tries, t)
		fmt.Fprintf(o.Log, "try %d: SRTT %d us, RTO %d us: probe %.2f ms after the flight, RTO %.2f ms after the probe\n",
			k+1, t.SRTTUS, t.RTOUS, t.ProbeUS/1000, t.RTOFire/1000)
		// tries start at phases spread over a tick
		time.Sleep(10*time.Millisecond + time.Duration(k%7)*1300*time.Microsecond)
	}
	return r, nil
}

// buildTimers makes the two namespaces and their veth pair.
func buildTimers(snd, rcv string) (err error) {
	for _, ns := range []string{snd, rcv} {
		if err := newNS(ns, false); err != nil {
			return err
		}
		// each connection starts afresh: no cached RTT
		if err := inNS(ns, func() error { return sysctl("net/ipv4/tcp_no_metrics_save", "1") }); err != nil {
			return err
		}
	}
	if err := veth(snd, "eth0", podMAC(1), rcv, "eth0", podMAC(2)); err != nil {
		return err
	}
	for i, e := range []struct {
		ns       string
		ip, peer [4]byte
		peerMAC  net.HardwareAddr
	}{{snd, timersSender, timersReceiver, podMAC(2)}, {rcv, timersReceiver, timersSender, podMAC(1)}} {
		if err := up(e.ns, "eth0", fmt.Sprintf("%s/24", net.IP(e.ip[:]))); err != nil {
			return err
		}
		// one packet per segment: the probe is the flight's last segment
		if err := setOffloads(e.ns, "eth0", 0, ethtoolSTSO, ethtoolSGSO, ethtoolSGRO); err != nil {
			return err
		}
		if err := withLink(e.ns, "eth0", func(h *netlink.Handle, l netlink.Link) error {
			return h.NeighSet(&netlink.Neigh{LinkIndex: l.Attrs().Index, IP: net.IP(e.peer[:]), HardwareAddr: e.peerMAC,
				State: netlink.NUD_PERMANENT, Family: unix.AF_INET})
		}); err != nil {
			return fmt.Errorf("neighbour %d: %w", i, err)
		}
	}
	return nil
}

// echoServer answers every one-byte message with one byte and discards
// the rest, until the listener closes.
func echoServer(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			buf := make([]byte, 64<<10)
			for {
				n, err := c.Read(buf)
				if err != nil {
					return
				}
				if n == 1 {
					if _, err := c.Write(buf[:1]); err != nil {
						return
					}
				}
			}
		}()
	}
}

// timersTry runs one flight on a new connection.
func timersTry(snd, rcv string, segments int) (TimersTry, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	fd, err := socketIn(snd, 1<<20)
	if err != nil {
		return TimersTry{}, err
	}
	defer func() {
		// reset, not a FIN the receiver would never see
		_ = unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
		unix.Close(fd)
	}()
	if _, err := timeConnect(fd, &unix.SockaddrInet4{Port: timersPort, Addr: timersReceiver}); err != nil {
		return TimersTry{}, err
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		return TimersTry{}, err
	}
	for range 20 { // the SRTT of a quiet veth pair
		if err := pingPong(fd); err != nil {
			return TimersTry{}, err
		}
	}
	rules := fmt.Sprintf("table inet %s {\n chain in {\n  type filter hook input priority 0; policy accept;\n  tcp dport %d drop\n }\n}\n", timersTable, timersPort)
	if err := runIn(rcv, rules, "nft", "-f", "-"); err != nil {
		return TimersTry{}, err
	}
	defer func() { _ = runIn(rcv, "delete table inet "+timersTable+"\n", "nft", "-f", "-") }()
	before, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return TimersTry{}, err
	}
	flight := make([]byte, segments*1448)
	if n, err := unix.Write(fd, flight); err != nil || n != len(flight) {
		return TimersTry{}, fmt.Errorf("the flight's write: %d of %d bytes (%v)", n, len(flight), err)
	}
	sent := time.Now()
	var probe time.Time
	for {
		info, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
		if err != nil {
			return TimersTry{}, err
		}
		now := time.Now()
		if info.Total_retrans > before.Total_retrans && probe.IsZero() {
			probe = now
		}
		if info.Total_retrans > before.Total_retrans+1 {
			return TimersTry{SRTTUS: int64(before.Rtt), RTOUS: int64(before.Rto),
				ProbeUS: float64(probe.Sub(sent).Nanoseconds()) / 1000, RTOFire: float64(now.Sub(probe).Nanoseconds()) / 1000}, nil
		}
		if now.Sub(sent) > 2*time.Second {
			return TimersTry{}, errors.New("no probe and timeout within 2 s of the flight")
		}
	}
}

// pingPong sends one byte and waits for the echo.
func pingPong(fd int) error {
	if _, err := unix.Write(fd, []byte{'p'}); err != nil {
		return err
	}
	p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(p, 1000)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if p[0].Revents == 0 {
			return errors.New("no echo in 1 s")
		}
		var b [1]byte
		_, err = unix.Read(fd, b[:])
		if err == syscall.EAGAIN {
			continue
		}
		return err
	}
}
