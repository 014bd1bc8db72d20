//go:build linux

package testbed

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

const (
	port = 5201 // iperf3's port
	// writeSize is iperf3's default TCP write (and read) length, 128 KiB.
	writeSize = 128 << 10
)

// pinned runs f on a new OS thread locked into namespace ns and pinned to
// cpu; the thread is never returned to the Go runtime (it exits with the
// goroutine), so no other goroutine runs in the foreign namespace.
func pinned(ns string, cpu int, f func() error) <-chan error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // no unlock: the thread ends with the goroutine
		h, err := netns.GetFromName(ns)
		if err != nil {
			done <- err
			return
		}
		err = netns.Set(h)
		h.Close()
		if err != nil {
			done <- fmt.Errorf("enter %s: %w", ns, err)
			return
		}
		var set unix.CPUSet
		set.Set(cpu)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			done <- fmt.Errorf("pin to CPU %d: %w", cpu, err)
			return
		}
		// Name the thread again, now on the recorded CPU: perf record -C
		// sees a task's COMM event only on the CPUs it records, and a
		// thread the Go runtime started on another CPU is otherwise
		// ":TID" in the script, its samples counted as another
		// process's (run7's UDP_RR: 2,189 of 3,949 samples).
		_ = setThreadName(selfComm())
		done <- f()
	}()
	return done
}

// tcpSocket is a blocking IPv4 TCP socket with the congestion control cc
// (the host default here is bbr, whose pacing timers the model does not
// run; per socket because a namespace may only default to the host's
// allowed list) and send/receive timeouts that bound every call.
func tcpSocket(cc string, nodelay bool) (int, error) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	tv := unix.Timeval{Sec: 2}
	for _, o := range []int{unix.SO_RCVTIMEO, unix.SO_SNDTIMEO} {
		if err := unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, o, &tv); err != nil {
			unix.Close(fd)
			return -1, err
		}
	}
	if cc != "" {
		if err := unix.SetsockoptString(fd, unix.IPPROTO_TCP, unix.TCP_CONGESTION, cc); err != nil {
			unix.Close(fd)
			return -1, fmt.Errorf("TCP_CONGESTION %s: %w", cc, err)
		}
	}
	if nodelay {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
			unix.Close(fd)
			return -1, err
		}
	}
	return fd, nil
}

func sockaddr(ip net.IP) *unix.SockaddrInet4 {
	sa := &unix.SockaddrInet4{Port: port}
	copy(sa.Addr[:], ip.To4())
	return sa
}

// flow is a running traffic pair; Stop ends it and returns the first error.
type flow struct {
	stop     atomic.Bool
	received atomic.Int64 // payload bytes (stream) or transactions (RR) the server side counted
	sent     atomic.Int64 // datagrams the client's send calls accepted (UDP stream)
	msgs     atomic.Int64 // datagrams the server read (UDP stream)
	// The application's calls and its threads, so that a window counts
	// the send calls, read calls and wake-ups (perf.Counters) of a TCP
	// stream; the UDP flows leave them 0.
	writes, reads  atomic.Int64
	srvTID, cliTID atomic.Int32
	srv, cli       <-chan error
	ready          chan struct{}
}

func (f *flow) Stop() error {
	f.stop.Store(true)
	var errs []error
	for _, ch := range []<-chan error{f.cli, f.srv} {
		select {
		case err := <-ch:
			if err != nil {
				errs = append(errs, err)
			}
		case <-time.After(5 * time.Second):
			errs = append(errs, fmt.Errorf("traffic thread did not stop within 5 s"))
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// listen opens the server socket in the server's namespace and signals
// ready; serve then runs on the connection.
func (f *flow) server(t *Topology, cpu int, cc string, serve func(fd int) error) {
	f.srv = pinned(t.ReceiverNS, cpu, func() error {
		f.srvTID.Store(int32(unix.Gettid()))
		ln, err := tcpSocket(cc, false)
		if err != nil {
			close(f.ready)
			return err
		}
		defer unix.Close(ln)
		_ = unix.SetsockoptInt(ln, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		if err := unix.Bind(ln, sockaddr(t.ServerIP)); err != nil {
			close(f.ready)
			return fmt.Errorf("bind %s:%d: %w", t.ServerIP, port, err)
		}
		if err := unix.Listen(ln, 4); err != nil {
			close(f.ready)
			return err
		}
		close(f.ready)
		var c int
		for {
			c, _, err = unix.Accept4(ln, unix.SOCK_CLOEXEC)
			if err == nil {
				break
			}
			if (err != unix.EAGAIN && err != unix.EINTR) || f.stop.Load() {
				return fmt.Errorf("accept: %w", err)
			}
		}
		defer unix.Close(c)
		_ = unix.SetsockoptString(c, unix.IPPROTO_TCP, unix.TCP_CONGESTION, cc)
		return serve(c)
	})
	<-f.ready
}

func (f *flow) client(t *Topology, cpu int, cc string, nodelay bool, run func(fd int) error) {
	f.cli = pinned(t.SenderNS, t.clientCPU(cpu), func() error {
		f.cliTID.Store(int32(unix.Gettid()))
		fd, err := tcpSocket(cc, nodelay)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		if err := unix.Connect(fd, sockaddr(t.ServerIP)); err != nil {
			return fmt.Errorf("connect to %s:%d: %w", t.ServerIP, port, err)
		}
		return run(fd)
	})
}

// Stream starts a TCP bulk transfer from the client pod to the server pod
// in 128 KiB writes (iperf3's), paced to mbps of payload when mbps > 0 as
// capture.sh does: an unsaturated core keeps the path's softirqs inline.
// The server reads 128 KiB at a time and counts the bytes.
func Stream(t *Topology, cpu int, cc string, mbps float64) *flow {
	f := &flow{ready: make(chan struct{})}
	f.server(t, cpu, cc, func(c int) error {
		buf := make([]byte, writeSize)
		for {
			n, err := unix.Read(c, buf)
			f.reads.Add(1)
			if n > 0 {
				f.received.Add(int64(n))
			}
			if n == 0 && err == nil {
				return nil
			}
			if err != nil && err != unix.EINTR && err != unix.EAGAIN {
				if f.stop.Load() {
					return nil
				}
				return fmt.Errorf("server read: %w", err)
			}
			if err == unix.EAGAIN && f.stop.Load() {
				return nil
			}
		}
	})
	f.client(t, cpu, cc, false, func(fd int) error {
		buf := make([]byte, writeSize)
		var sent int64
		start := time.Now()
		for !f.stop.Load() {
			n, err := unix.Write(fd, buf)
			f.writes.Add(1)
			if err != nil && err != unix.EINTR && err != unix.EAGAIN {
				return fmt.Errorf("client write: %w", err)
			}
			sent += int64(max(n, 0))
			if mbps > 0 {
				due := start.Add(time.Duration(float64(sent*8) / mbps * 1e3))
				if w := time.Until(due); w > 0 {
					time.Sleep(w)
				}
			}
		}
		return unix.Shutdown(fd, unix.SHUT_WR)
	})
	return f
}

// RR starts netperf TCP_RR: 1-byte request, 1-byte response, one at a
// time; the server counts the transactions.
func RR(t *Topology, cpu int, cc string) *flow {
	f := &flow{ready: make(chan struct{})}
	f.server(t, cpu, cc, func(c int) error {
		_ = unix.SetsockoptInt(c, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		b := []byte{0}
		for {
			n, err := retry(func() (int, error) { return unix.Read(c, b) })
			if n == 0 && err == nil {
				return nil
			}
			if err != nil {
				if f.stop.Load() {
					return nil
				}
				return fmt.Errorf("rr server read: %w", err)
			}
			if _, err := retry(func() (int, error) { return unix.Write(c, b) }); err != nil {
				if f.stop.Load() {
					return nil
				}
				return fmt.Errorf("rr server write: %w", err)
			}
			f.received.Add(1)
		}
	})
	f.client(t, cpu, cc, true, func(fd int) error {
		b := []byte{1}
		for !f.stop.Load() {
			if _, err := retry(func() (int, error) { return unix.Write(fd, b) }); err != nil {
				return fmt.Errorf("rr client write: %w", err)
			}
			if _, err := retry(func() (int, error) { return unix.Read(fd, b) }); err != nil {
				return fmt.Errorf("rr client read: %w", err)
			}
		}
		return unix.Shutdown(fd, unix.SHUT_WR)
	})
	return f
}

// retry repeats a socket call interrupted by a signal: the Go runtime
// preempts threads with SIGURG, and a socket with SO_RCVTIMEO/SO_SNDTIMEO
// returns EINTR even under SA_RESTART (signal(7)).
func retry(call func() (int, error)) (int, error) {
	for {
		n, err := call()
		if err != unix.EINTR {
			return n, err
		}
	}
}

// wakeups is the voluntary context switches of the flow's two threads so
// far: each is the thread blocking (a read with nothing queued, a write
// with a full send buffer, a pacing sleep) and so one wake-up later
// (proc(5), /proc/PID/task/TID/status).
func (f *flow) wakeups() (int64, error) { return f.ctxSwitches("voluntary_ctxt_switches:") }

// switches is all the context switches of the flow's two threads so far,
// voluntary and not: in a one-CPU RR the woken client preempts the server
// that woke it, whose next read then finds the request queued, so a
// transaction has one voluntary switch and one preemption, two switches.
func (f *flow) switches() (int64, error) {
	return f.ctxSwitches("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")
}

func (f *flow) ctxSwitches(fields ...string) (int64, error) {
	var n int64
	for _, tid := range []int32{f.srvTID.Load(), f.cliTID.Load()} {
		if tid == 0 {
			continue // a flow whose threads do not record their ids (UDP)
		}
		v, err := statusCounts(fmt.Sprintf("/proc/self/task/%d/status", tid), fields)
		if err != nil {
			return 0, err
		}
		n += v
	}
	return n, nil
}

// statusCounts sums the named counters of a status file.
func statusCounts(file string, fields []string) (int64, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return 0, err
	}
	var sum int64
	found := 0
	for _, line := range strings.Split(string(data), "\n") {
		for _, f := range fields {
			if v, ok := strings.CutPrefix(line, f); ok {
				n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				if err != nil {
					return 0, fmt.Errorf("%s: %s %w", file, f, err)
				}
				sum += n
				found++
			}
		}
	}
	if found != len(fields) {
		return 0, fmt.Errorf("%s: not every line of %v", file, fields)
	}
	return sum, nil
}

// setThreadName sets the calling thread's comm (prctl PR_SET_NAME), which
// emits a perf COMM event on the CPU the thread runs on.
func setThreadName(name string) error {
	b := make([]byte, 16) // TASK_COMM_LEN, NUL-terminated
	copy(b[:15], name)
	return unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(&b[0])), 0, 0, 0)
}
