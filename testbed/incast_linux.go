//go:build linux

package testbed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// incastTopo is a built incast topology: the bridge's namespace, the
// aggregator's (host 0) and the workers' (hosts 1..n).
type incastTopo struct {
	sw    string
	hosts []string // hosts[0] the aggregator
}

func incastIP(i int) string { return fmt.Sprintf("10.90.0.%d", i+1) }

// incastAggAddr is the aggregator's address.
var incastAggAddr = [4]byte{10, 90, 0, 1}

// MeasureIncast runs every configuration (each count of senders with each
// buffer, in that order): builds its topology, times the idle handshakes,
// runs the queries, reads the counters, removes it. It holds the
// testbed's lock, removes a killed run's leftovers first, and every
// namespace with the prefix on return, whatever happens (a signal cancels
// ctx and returns through the same path).
func MeasureIncast(ctx context.Context, o IncastOptions) (*IncastRun, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if os.Geteuid() != 0 {
		return nil, ErrNotRoot
	}
	if _, err := lookPath("tc"); err != nil {
		return nil, &MissingError{What: "tc", Hint: "apt-get install -y iproute2"}
	}
	if b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_available_congestion_control"); err != nil || !slices.Contains(strings.Fields(string(b)), "cubic") {
		return nil, &MissingError{What: "TCP cubic", Hint: "modprobe tcp_cubic"}
	}
	release, m, err := takeTestbed(ctx, o.LockWait, lastCPU(), o.Log)
	if err != nil {
		return nil, err
	}
	defer release()
	tools := map[string]string{"go": runtime.Version()}
	if v, err := exec.Command("tc", "-V").Output(); err == nil {
		tools["tc"] = strings.TrimSpace(string(v))
	}
	for k, v := range o.Tools {
		tools[k] = v
	}
	r := &IncastRun{Command: o.Command, Date: time.Now().UTC().Format(time.RFC3339), Kernel: kernelRelease(), HZ: kernelHZ(), CPUModel: m.model,
		CPUs: lastCPU() + 1, Tools: tools, Loadavg: loadavg(), RateMbit: o.RateMbit, Bytes: o.Bytes,
		GapMS: float64(o.Gap.Microseconds()) / 1000, TimeoutMS: float64(o.Timeout.Microseconds()) / 1000,
		BurstBytes: o.burstBytes(), HostLimit: IncastHostLimitBytes, MTU: incastMTU}
	var rtts []float64
	for _, n := range o.Senders {
		for _, buf := range o.Buffers {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("stopped before senders %d, buffer %d: %w", n, buf, context.Cause(ctx))
			}
			c, sys, err := incastConfig(ctx, o, n, buf)
			if err != nil {
				return nil, fmt.Errorf("senders %d, buffer %d: %w", n, buf, err)
			}
			if r.Sysctls == nil {
				r.Sysctls = sys
			}
			for _, v := range c.IdleRTTsUS {
				rtts = append(rtts, float64(v))
			}
			row := MeasuredIncast(&IncastRun{Configs: []IncastConfig{*c}})[0]
			fmt.Fprintf(o.Log, "senders %d, buffer %d: QCT p50 %.1f ms, p90 %.1f ms (%d unfinished), start skew p50 %.0f us, %.1f drops, %.1f retransmissions, %.2f timeouts, %.2f loss probes per query\n",
				n, buf, row.MeasP50, row.MeasP90, row.Unfinished, row.SkewP50US, row.MeasDrops, row.MeasRetrans, row.MeasTimeouts, row.MeasProbes)
			r.Configs = append(r.Configs, *c)
		}
	}
	r.IdleRTTUS = median(rtts)
	r.LoadavgEnd = loadavg()
	return r, nil
}

// incastConfig builds one configuration, measures it and removes it.
func incastConfig(ctx context.Context, o IncastOptions, n int, buf int64) (*IncastConfig, map[string]string, error) {
	defer Cleanup()
	t, err := buildIncast(n, o.RateMbit, o.burstBytes(), buf)
	if err != nil {
		return nil, nil, err
	}
	sys, err := readSysctls(t.hosts[1])
	if err != nil {
		return nil, nil, err
	}
	c := &IncastConfig{Senders: n, BufferBytes: buf}
	if c.IdleRTTsUS, err = t.idleRTTs(ctx, o.RTTs); err != nil {
		return nil, nil, fmt.Errorf("idle handshakes: %w", err)
	}
	before, err := t.counters()
	if err != nil {
		return nil, nil, err
	}
	drops0, pkts0, err := t.bottleneck()
	if err != nil {
		return nil, nil, err
	}
	for k := range o.Queries {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("stopped at query %d: %w", k+1, context.Cause(ctx))
		}
		d0, _, err := t.bottleneck()
		if err != nil {
			return nil, nil, err
		}
		q, err := t.query(ctx, o, 6000+k)
		if err != nil {
			return nil, nil, fmt.Errorf("query %d: %w", k+1, err)
		}
		d1, _, err := t.bottleneck()
		if err != nil {
			return nil, nil, err
		}
		q.TCDrops = d1 - d0
		c.Queries = append(c.Queries, q)
		if err := sleep(ctx, o.Gap); err != nil {
			return nil, nil, err
		}
	}
	after, err := t.counters()
	if err != nil {
		return nil, nil, err
	}
	drops1, pkts1, err := t.bottleneck()
	if err != nil {
		return nil, nil, err
	}
	c.TCDrops, c.TCPackets = drops1-drops0, pkts1-pkts0
	c.Counters = map[string]int64{}
	for k, v := range after {
		c.Counters[k] = v - before[k]
	}
	return c, sys, nil
}

// buildIncast makes the namespaces, the bridge, a veth pair per host (pN
// on the bridge, eth0 in the host, offloads off at both ends), the
// addresses, static neighbours (no ARP in a query), and the tbfs: every
// host's egress at the rate with a queue that never fills, the bridge's
// port p0 toward the aggregator at the rate with limit buf.
func buildIncast(n int, rateMbit float64, burst, buf int64) (t *incastTopo, err error) {
	defer func() {
		if err != nil {
			_, _ = Cleanup()
		}
	}()
	t = &incastTopo{sw: nsName("isw")}
	t.hosts = append(t.hosts, nsName("iagg"))
	for i := 1; i <= n; i++ {
		t.hosts = append(t.hosts, nsName(fmt.Sprintf("iw%d", i)))
	}
	for _, ns := range append([]string{t.sw}, t.hosts...) {
		if err := newNS(ns, false); err != nil {
			return nil, err
		}
	}
	h, err := handle(t.sw)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "br0"}}
	if err := h.LinkAdd(br); err != nil {
		return nil, &MissingError{What: "Linux bridge: " + err.Error(), Hint: "modprobe bridge"}
	}
	if err := h.LinkSetUp(br); err != nil {
		return nil, err
	}
	// Frames bridged are not handed to iptables (br_netfilter, when
	// loaded, would otherwise walk the host's rules for each).
	if err := inNS(t.sw, func() error {
		const key = "net/bridge/bridge-nf-call-iptables"
		if _, err := os.Stat("/proc/sys/" + key); err != nil {
			return nil
		}
		return sysctl(key, "0")
	}); err != nil {
		return nil, err
	}
	offs := []uint32{ethtoolSTSO, ethtoolSGSO, ethtoolSGRO}
	rate := fmt.Sprintf("%dbit", int64(rateMbit*1e6+0.5))
	for i, hn := range t.hosts {
		p := fmt.Sprintf("p%d", i)
		if err := veth(t.sw, p, hostMAC(i), hn, "eth0", podMAC(i)); err != nil {
			return nil, err
		}
		l, err := h.LinkByName(p)
		if err != nil {
			return nil, err
		}
		if err := h.LinkSetMaster(l, br); err != nil {
			return nil, err
		}
		if err := up(t.sw, p, ""); err != nil {
			return nil, err
		}
		if err := up(hn, "eth0", incastIP(i)+"/24"); err != nil {
			return nil, err
		}
		if err := setOffloads(t.sw, p, 0, offs...); err != nil {
			return nil, err
		}
		if err := setOffloads(hn, "eth0", 0, offs...); err != nil {
			return nil, err
		}
		// Every connection starts afresh, as the simulator's do: no RTT
		// or ssthresh cached from the previous query's.
		if err := inNS(hn, func() error { return sysctl("net/ipv4/tcp_no_metrics_save", "1") }); err != nil {
			return nil, err
		}
		// The aggregator knows every worker, each worker the aggregator.
		peers := []int{0}
		if i == 0 {
			peers = nil
			for j := 1; j <= n; j++ {
				peers = append(peers, j)
			}
		}
		if err := withLink(hn, "eth0", func(hh *netlink.Handle, l netlink.Link) error {
			for _, j := range peers {
				if err := hh.NeighSet(&netlink.Neigh{LinkIndex: l.Attrs().Index, IP: net.ParseIP(incastIP(j)), HardwareAddr: podMAC(j),
					State: netlink.NUD_PERMANENT, Family: unix.AF_INET}); err != nil {
					return fmt.Errorf("neighbour %s: %w", incastIP(j), err)
				}
			}
			return nil
		}); err != nil {
			return nil, err
		}
		if err := tc(hn, "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate", rate,
			"burst", fmt.Sprint(burst), "limit", fmt.Sprint(IncastHostLimitBytes)); err != nil {
			return nil, err
		}
	}
	if err := tc(t.sw, "qdisc", "replace", "dev", "p0", "root", "tbf", "rate", rate,
		"burst", fmt.Sprint(burst), "limit", fmt.Sprint(buf)); err != nil {
		return nil, err
	}
	return t, nil
}

// tc runs tc in a namespace of ours (tc -n) with a clear error.
func tc(ns string, args ...string) error {
	if !Owned(ns) {
		return fmt.Errorf("namespace %q is not ours (prefix %q)", ns, Prefix)
	}
	out, err := exec.Command("tc", append([]string{"-n", ns}, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("tc -n %s %s: %v: %s", ns, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// bottleneck reads the drops and packets of the tbf on p0 (netlink's
// qdisc statistics).
func (t *incastTopo) bottleneck() (drops, packets int64, err error) {
	err = withLink(t.sw, "p0", func(h *netlink.Handle, l netlink.Link) error {
		qs, err := h.QdiscList(l)
		if err != nil {
			return err
		}
		for _, q := range qs {
			a := q.Attrs()
			if q.Type() == "tbf" && a.Parent == netlink.HANDLE_ROOT {
				if a.Statistics == nil || a.Statistics.Queue == nil || a.Statistics.Basic == nil {
					return errors.New("tbf on p0: no statistics from netlink")
				}
				drops, packets = int64(a.Statistics.Queue.Drops), int64(a.Statistics.Basic.Packets)
				return nil
			}
		}
		return errors.New("no root tbf on p0")
	})
	return drops, packets, err
}

// readSysctls reads IncastSysctls in namespace ns.
func readSysctls(ns string) (map[string]string, error) {
	out := map[string]string{}
	err := inNS(ns, func() error {
		for _, k := range IncastSysctls {
			if b, err := os.ReadFile("/proc/sys/" + k); err == nil {
				out[k] = strings.TrimSpace(string(b))
			}
		}
		return nil
	})
	return out, err
}

// counters sums IncastCounters over the workers' namespaces
// (/proc/thread-self/net read from a thread in each: /proc/self/net would
// be the main thread's namespace).
func (t *incastTopo) counters() (map[string]int64, error) {
	sum := map[string]int64{}
	for _, ns := range t.hosts[1:] {
		err := inNS(ns, func() error {
			files := map[string]string{}
			for _, f := range []string{"snmp", "netstat"} {
				b, err := os.ReadFile("/proc/thread-self/net/" + f)
				if err != nil {
					return err
				}
				files[f] = string(b)
			}
			for _, c := range IncastCounters {
				v, err := snmpField(files[c.File], c.Proto, c.Field)
				if err != nil {
					if c.Required {
						return fmt.Errorf("/proc/net/%s: %w", c.File, err)
					}
					continue
				}
				sum[c.Name] += v
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("counters in %s: %w", ns, err)
		}
	}
	return sum, nil
}

// socketIn makes a non-blocking TCP socket in namespace ns with cubic and
// a send buffer of sndbuf bytes (0: the default).
func socketIn(ns string, sndbuf int) (int, error) {
	fd := -1
	err := inNS(ns, func() error {
		var err error
		if fd, err = unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0); err != nil {
			return err
		}
		if err := unix.SetsockoptString(fd, unix.IPPROTO_TCP, unix.TCP_CONGESTION, "cubic"); err != nil {
			return fmt.Errorf("TCP_CONGESTION cubic: %w", err)
		}
		if sndbuf > 0 {
			if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, sndbuf); err != nil {
				return fmt.Errorf("SO_SNDBUF: %w", err)
			}
		}
		return nil
	})
	if err != nil && fd >= 0 {
		unix.Close(fd)
		fd = -1
	}
	return fd, err
}

// listen makes the aggregator's listener on port, cubic on its sockets.
func (t *incastTopo) listen(ctx context.Context, port int) (net.Listener, error) {
	var ln net.Listener
	err := inNS(t.hosts[0], func() error {
		lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			if err := c.Control(func(fd uintptr) {
				serr = unix.SetsockoptString(int(fd), unix.IPPROTO_TCP, unix.TCP_CONGESTION, "cubic")
			}); err != nil {
				return err
			}
			return serr
		}}
		var err error
		ln, err = lc.Listen(ctx, "tcp4", fmt.Sprintf("%s:%d", incastIP(0), port))
		return err
	})
	return ln, err
}

// idleRTTs times k idle handshakes (a connect to its completion), the
// workers in turn, after one not counted (warm-up).
func (t *incastTopo) idleRTTs(ctx context.Context, k int) ([]int64, error) {
	ln, err := t.listen(ctx, 5999)
	if err != nil {
		return nil, err
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	sa := &unix.SockaddrInet4{Port: 5999, Addr: incastAggAddr}
	var out []int64
	for j := range k + 1 {
		if err := ctx.Err(); err != nil {
			return nil, context.Cause(ctx)
		}
		fd, err := socketIn(t.hosts[1+j%(len(t.hosts)-1)], 0)
		if err != nil {
			return nil, err
		}
		d, err := timeConnect(fd, sa)
		unix.Close(fd)
		if err != nil {
			return nil, err
		}
		if j > 0 {
			out = append(out, d.Microseconds())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return out, nil
}

// timeConnect connects fd (non-blocking) and waits for the handshake on
// a locked thread.
func timeConnect(fd int, sa unix.Sockaddr) (time.Duration, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0 := time.Now()
	if err := unix.Connect(fd, sa); err != nil && err != unix.EINPROGRESS {
		return 0, fmt.Errorf("connect: %w", err)
	}
	for {
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
		_, err := unix.Poll(p, 3000)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		d := time.Since(t0)
		if p[0].Revents == 0 {
			return 0, errors.New("handshake: no answer in 3 s")
		}
		if e, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); e != 0 {
			return 0, fmt.Errorf("connect: %w", unix.Errno(e))
		}
		return d, nil
	}
}

// query runs one query on a new listener port: every worker's socket is
// made in its namespace, then all are connected from one locked thread;
// each writes its response when its connect completes and is closed; the
// aggregator reads each connection to EOF. Past o.Timeout the query is
// recorded unfinished (its connections closed with the listener).
func (t *incastTopo) query(ctx context.Context, o IncastOptions, port int) (IncastQuery, error) {
	var q IncastQuery
	n := len(t.hosts) - 1
	ln, err := t.listen(ctx, port)
	if err != nil {
		return q, err
	}
	defer ln.Close()
	fds := make([]int, n)
	for i := range fds {
		fds[i] = -1
	}
	defer func() {
		for _, fd := range fds {
			if fd >= 0 {
				unix.Close(fd)
			}
		}
	}()
	sndbuf := int(min(2*o.Bytes+65536, 1<<30))
	for i := range fds {
		if fds[i], err = socketIn(t.hosts[i+1], sndbuf); err != nil {
			return q, err
		}
	}
	// The aggregator: accept n connections, read each to EOF.
	type eof struct {
		at  time.Time
		n   int64
		err error
	}
	eofs := make(chan eof, n)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for range n {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				nb, err := io.Copy(io.Discard, c)
				at := time.Now()
				c.Close()
				eofs <- eof{at, nb, err}
			}()
		}
	}()
	defer func() {
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	}()
	resp := make([]byte, o.Bytes)
	t0, deadline, err := inject(ctx, fds, resp, port, o.Timeout, &q)
	if err != nil {
		return q, err
	}
	var last time.Time
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for got := 0; got < n && !q.Unfinished; {
		select {
		case e := <-eofs:
			if e.err != nil {
				return q, fmt.Errorf("aggregator read: %w", e.err)
			}
			if e.n != o.Bytes {
				return q, fmt.Errorf("aggregator read %d bytes of a response, want %d", e.n, o.Bytes)
			}
			if e.at.After(last) {
				last = e.at
			}
			q.ResponsesUS = append(q.ResponsesUS, e.at.Sub(t0).Microseconds())
			got++
		case <-timer.C:
			q.Unfinished = true
		case <-ctx.Done():
			return q, context.Cause(ctx)
		}
	}
	slices.Sort(q.ResponsesUS)
	if q.Unfinished {
		q.QCTUS = 0
	} else {
		q.QCTUS = last.Sub(t0).Microseconds()
	}
	return q, nil
}

// inject connects every socket from one locked thread and, as each
// connect completes, writes the response (on POLLOUT, the rest of a
// partial write) and closes it. It records the first connect's
// completion, the start skew and the last write in q, returns t0 (the
// instant before the first connect) and the query's deadline; a query
// whose workers are not all done by then is marked unfinished.
func inject(ctx context.Context, fds []int, resp []byte, port int, timeout time.Duration, q *IncastQuery) (t0, deadline time.Time, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	n := len(fds)
	sa := &unix.SockaddrInet4{Port: port, Addr: incastAggAddr}
	off := make([]int, n)
	connected := make([]bool, n)
	var first, lastConn, lastWrite time.Time
	t0 = time.Now()
	deadline = t0.Add(timeout)
	for _, fd := range fds {
		if err := unix.Connect(fd, sa); err != nil && err != unix.EINPROGRESS {
			return t0, deadline, fmt.Errorf("connect: %w", err)
		}
	}
	pending := n
	pfd := make([]unix.PollFd, 0, n)
	idx := make([]int, 0, n)
	for pending > 0 {
		left := time.Until(deadline)
		if left <= 0 {
			q.Unfinished = true
			break
		}
		if ctx.Err() != nil {
			return t0, deadline, context.Cause(ctx)
		}
		pfd, idx = pfd[:0], idx[:0]
		for i, fd := range fds {
			if fd >= 0 {
				pfd = append(pfd, unix.PollFd{Fd: int32(fd), Events: unix.POLLOUT})
				idx = append(idx, i)
			}
		}
		_, err := unix.Poll(pfd, int(min(left, 100*time.Millisecond).Milliseconds())+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return t0, deadline, fmt.Errorf("poll: %w", err)
		}
		for j, p := range pfd {
			if p.Revents == 0 {
				continue
			}
			i, fd := idx[j], fds[idx[j]]
			now := time.Now()
			if !connected[i] {
				if e, _ := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR); e != 0 {
					return t0, deadline, fmt.Errorf("worker %d connect: %w", i+1, unix.Errno(e))
				}
				connected[i] = true
				if first.IsZero() {
					first = now
				}
				lastConn = now
			}
			w, err := unix.Write(fd, resp[off[i]:])
			if err == unix.EAGAIN {
				continue
			}
			if err != nil {
				return t0, deadline, fmt.Errorf("worker %d write: %w", i+1, err)
			}
			if off[i] += w; off[i] == len(resp) {
				lastWrite = time.Now()
				unix.Close(fd)
				fds[i] = -1
				pending--
			}
		}
	}
	if !first.IsZero() {
		q.FirstConnUS = first.Sub(t0).Microseconds()
		q.StartSkewUS = lastConn.Sub(first).Microseconds()
	}
	if !lastWrite.IsZero() {
		q.LastWriteUS = lastWrite.Sub(t0).Microseconds()
	}
	return t0, deadline, nil
}
