//go:build linux

package testbed

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// udpSocket is a blocking IPv4 UDP socket whose calls are bounded by a
// receive/send timeout, as tcpSocket's.
func udpSocket(timeout time.Duration) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	tv := unix.NsecToTimeval(timeout.Nanoseconds())
	for _, o := range []int{unix.SO_RCVTIMEO, unix.SO_SNDTIMEO} {
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, o, &tv); err != nil {
			unix.Close(fd)
			return -1, err
		}
	}
	return fd, nil
}

// udpServer binds the server pod's port in its namespace, signals ready
// and runs serve on the socket.
func (f *flow) udpServer(t *Topology, cpu int, serve func(fd int) error) {
	f.srv = pinned(t.ReceiverNS, cpu, func() error {
		fd, err := udpSocket(200 * time.Millisecond)
		if err != nil {
			close(f.ready)
			return err
		}
		defer unix.Close(fd)
		if err := unix.Bind(fd, sockaddr(t.ServerIP)); err != nil {
			close(f.ready)
			return fmt.Errorf("bind udp %s:%d: %w", t.ServerIP, port, err)
		}
		close(f.ready)
		return serve(fd)
	})
	<-f.ready
}

// udpClient connects a UDP socket to the server pod in the client's
// namespace and runs run on it.
func (f *flow) udpClient(t *Topology, cpu int, timeout time.Duration, run func(fd int) error) {
	f.cli = pinned(t.SenderNS, t.clientCPU(cpu), func() error {
		fd, err := udpSocket(timeout)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.Connect(fd, sockaddr(t.ServerIP)); err != nil {
			return fmt.Errorf("connect udp to %s:%d: %w", t.ServerIP, port, err)
		}
		return run(fd)
	})
}

// UDPPayload is the datagram payload that fills a pod MTU in one IPv4
// packet (iperf3 -u sizes its datagrams to the path MTU the same way):
// the MTU less the IPv4 (20) and UDP (8) headers.
func UDPPayload(mtu int) int { return mtu - 28 }

// UDPStream starts iperf3 -u style traffic: one datagram of size bytes
// per send call, paced to mbps of payload when mbps > 0 (0: as fast as
// the sender can, -b 0). The client counts the datagrams its send calls
// accepted (sent), the server the datagrams and payload bytes it read
// (msgs, received); a send that the kernel refuses (ENOBUFS, EAGAIN) is
// not counted and not retried, as iperf3 does not.
func UDPStream(t *Topology, cpu int, size int, mbps float64) *flow {
	f := &flow{ready: make(chan struct{})}
	f.udpServer(t, cpu, func(fd int) error {
		buf := make([]byte, 65536)
		for !f.stop.Load() {
			n, _, err := unix.Recvfrom(fd, buf, 0)
			if err == unix.EAGAIN || err == unix.EINTR {
				continue
			}
			if err != nil {
				return fmt.Errorf("udp server read: %w", err)
			}
			f.msgs.Add(1)
			f.received.Add(int64(n))
		}
		return nil
	})
	f.udpClient(t, cpu, 2*time.Second, func(fd int) error {
		buf := make([]byte, size)
		var sent int64
		start := time.Now()
		for !f.stop.Load() {
			_, err := unix.Write(fd, buf)
			switch err {
			case nil:
				sent++
				f.sent.Add(1)
			case unix.EINTR, unix.EAGAIN, unix.ENOBUFS, unix.ECONNREFUSED:
				// ECONNREFUSED: an ICMP port unreachable from a moment
				// the server was not bound; the next send goes on.
			default:
				return fmt.Errorf("udp client write: %w", err)
			}
			if mbps > 0 {
				due := start.Add(time.Duration(float64(sent*int64(size)*8) / mbps * 1e3))
				if w := time.Until(due); w > 0 {
					time.Sleep(w)
				}
			}
		}
		return nil
	})
	return f
}

// UDPRR starts netperf UDP_RR: a 1-byte request datagram, a 1-byte
// response, one at a time; the server counts the transactions. A request
// or response lost (no answer within 100 ms) is sent again, as netperf's
// UDP_RR does not (it would stall): the retries are counted in sent.
func UDPRR(t *Topology, cpu int) *flow {
	f := &flow{ready: make(chan struct{})}
	f.udpServer(t, cpu, func(fd int) error {
		b := make([]byte, 1)
		for !f.stop.Load() {
			_, from, err := unix.Recvfrom(fd, b, 0)
			if err == unix.EAGAIN || err == unix.EINTR {
				continue
			}
			if err != nil {
				return fmt.Errorf("udp_rr server read: %w", err)
			}
			if err := unix.Sendto(fd, b, 0, from); err != nil && err != unix.EINTR && err != unix.EAGAIN {
				return fmt.Errorf("udp_rr server write: %w", err)
			}
			f.received.Add(1)
		}
		return nil
	})
	f.udpClient(t, cpu, 100*time.Millisecond, func(fd int) error {
		b := []byte{1}
		for !f.stop.Load() {
			if _, err := retry(func() (int, error) { return unix.Write(fd, b) }); err != nil && err != unix.ECONNREFUSED {
				return fmt.Errorf("udp_rr client write: %w", err)
			}
			_, err := retry(func() (int, error) { return unix.Read(fd, b) })
			if err == unix.EAGAIN || err == unix.ECONNREFUSED {
				f.sent.Add(1) // lost: sent again
				continue
			}
			if err != nil {
				return fmt.Errorf("udp_rr client read: %w", err)
			}
		}
		return nil
	})
	return f
}

// udpRcvbufErrors reads the Udp RcvbufErrors counter of namespace ns
// (/proc/thread-self/net/snmp read from a thread in it: /proc/self/net
// would be the main thread's namespace): datagrams the kernel dropped
// because the receiving socket's buffer was full.
func udpRcvbufErrors(ns string) (int64, error) {
	var v int64
	err := inNS(ns, func() error {
		b, err := os.ReadFile("/proc/thread-self/net/snmp")
		if err != nil {
			return err
		}
		v, err = snmpField(string(b), "Udp", "RcvbufErrors")
		return err
	})
	return v, err
}

// snmpField finds a counter in /proc/net/snmp's text: a header line
// "Proto: Name..." followed by a value line "Proto: v...".
func snmpField(text, proto, field string) (int64, error) {
	lines := strings.Split(text, "\n")
	for i := 0; i+1 < len(lines); i++ {
		h, ok := strings.CutPrefix(lines[i], proto+":")
		if !ok {
			continue
		}
		vals, ok := strings.CutPrefix(lines[i+1], proto+":")
		if !ok {
			continue
		}
		hs, vs := strings.Fields(h), strings.Fields(vals)
		for j, name := range hs {
			if name == field && j < len(vs) {
				return strconv.ParseInt(vs[j], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("snmp: no %s %s counter", proto, field)
}
