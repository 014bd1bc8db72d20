// Command sender is the traffic source for capturing perf fixtures: a TCP
// bulk sender and a discarding receiver (iperf3 -c / -s in miniature), and
// the loader of the tc eBPF redirect of the Cilium-like topology.
//
//	sender server ADDR              # accept and discard, forever
//	sender client ADDR DURATION     # send 64 KiB writes for DURATION
//	sender snap NS DEV NS DEV PORT  # counters and CLOCK_MONOTONIC time, see snap.go
//	sender redirect -netns NS -mode peer|egress -attach DEV[,DEV] -route IP,DEV,MAC ...
//	sender idle DURATION [PROBE [ref]]    # spin for DURATION (run as cnifx-idler, SCHED_IDLE), counting clock probe steps into PROBE (with ref, and a reference kernel workload's round trips)
//	sender cycles-per-step          # the clock probe's cycles per step (calibration/clockprobe)
//	sender duty BUSY SLEEP DURATION # spin BUSY, sleep about SLEEP, repeat for DURATION (sampling.sh)
//
// CNIFX_MBPS=R paces the client to R Mbit/s of payload.
// CNIFX_CC=NAME sets the TCP congestion control of both ends' sockets.
// CNIFX_RCVLOWAT=B sets the server socket's SO_RCVLOWAT (wake the reader at B bytes queued).
// capture.sh builds it as cnifx-sender: that is the comm of every traffic
// thread in the captures (manifest.toml, comms).
package main

import (
	"flag"
	"fmt"

	"math/rand/v2"
	"net"
	"os"
	"strings"
	"time"

	"github.com/cnisim/cnisim/calibration/clockprobe"
	"github.com/cnisim/cnisim/testbed/bpfredirect"
	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "cycles-per-step" { // capture.sh: the probe's cycles per step
		fmt.Println(clockprobe.CyclesPerStep)
		return
	}
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: sender server ADDR | sender client ADDR DURATION | sender redirect -netns NS ...")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "server":
		ln, err := net.Listen("tcp", os.Args[2])
		check(err)
		for {
			c, err := ln.Accept()
			check(err)
			check(setCC(c.(*net.TCPConn)))
			check(setRcvLowat(c.(*net.TCPConn)))
			go discard(c)
		}
	case "client":
		if len(os.Args) != 4 {
			fmt.Fprintln(os.Stderr, "usage: sender client ADDR DURATION")
			os.Exit(2)
		}
		d, err := time.ParseDuration(os.Args[3])
		check(err)
		c, err := net.Dial("tcp", os.Args[2])
		check(err)
		check(setCC(c.(*net.TCPConn)))
		buf := make([]byte, 64<<10)
		// $CNIFX_MBPS > 0 paces the writes to that rate (payload Mbit/s):
		// a core that is not saturated keeps its softirqs inline.
		var mbps float64
		if s := os.Getenv("CNIFX_MBPS"); s != "" {
			_, err := fmt.Sscan(s, &mbps)
			check(err)
		}
		var n int64
		start := time.Now()
		for end := start.Add(d); time.Now().Before(end); {
			m, err := c.Write(buf)
			check(err)
			n += int64(m)
			if mbps > 0 {
				due := start.Add(time.Duration(float64(n*8) / mbps * 1e3))
				if w := time.Until(due); w > 0 {
					time.Sleep(w)
				}
			}
		}
		c.Close()
		fmt.Printf("sent %d bytes in %v\n", n, d)
	case "redirect":
		redirect(os.Args[2:])
	case "snap":
		check(snap(os.Args[2:]))
	case "idle":
		d, err := time.ParseDuration(os.Args[2])
		check(err)
		if len(os.Args) > 3 {
			check(probe(d, os.Args[3], len(os.Args) > 4 && os.Args[4] == "ref"))
			break
		}
		spin(d)
	case "duty":
		if len(os.Args) != 5 {
			fmt.Fprintln(os.Stderr, "usage: sender duty BUSY SLEEP DURATION (e.g. 50us 450us 10s)")
			os.Exit(2)
		}
		var d [3]time.Duration
		for i := range d {
			var err error
			d[i], err = time.ParseDuration(os.Args[2+i])
			check(err)
		}
		// Sleeps drawn uniformly from [SLEEP/2, 3 SLEEP/2): a fixed period
		// would alias with perf's sampling period.
		rng := rand.New(rand.NewPCG(1, 2))
		for end := time.Now().Add(d[2]); time.Now().Before(end); {
			spin(d[0])
			time.Sleep(d[1]/2 + time.Duration(rng.Int64N(int64(d[1])+1)))
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q (valid: server, client, redirect, snap, idle, duty)\n", os.Args[1])
		os.Exit(2)
	}
}

// setCC sets the congestion control named by $CNIFX_CC on c (per socket:
// a network namespace other than the host's may only default to the
// host's allowed list, bbr and reno here; a socket with CAP_NET_ADMIN may
// use any available one).
// setRcvLowat sets SO_RCVLOWAT to $CNIFX_RCVLOWAT bytes on the server's
// socket: the reader is woken once that much is queued, not on every
// segment, so its wake-ups and reads per packet do not depend on how the
// scheduler happened to interleave it with the sender.
func setRcvLowat(c *net.TCPConn) error {
	s := os.Getenv("CNIFX_RCVLOWAT")
	if s == "" {
		return nil
	}
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n < 1 {
		return fmt.Errorf("CNIFX_RCVLOWAT=%s: want a byte count >= 1", s)
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVLOWAT, n)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("CNIFX_RCVLOWAT=%d: setsockopt SO_RCVLOWAT: %w", n, serr)
	}
	return nil
}

func setCC(c *net.TCPConn) error {
	cc := os.Getenv("CNIFX_CC")
	if cc == "" {
		return nil
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		serr = unix.SetsockoptString(int(fd), unix.IPPROTO_TCP, unix.TCP_CONGESTION, cc)
	}); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("CNIFX_CC=%s: setsockopt TCP_CONGESTION: %w", cc, serr)
	}
	return nil
}

// routeFlags collects repeated -route IP,DEV,MAC values.
type routeFlags []bpfredirect.Route

func (r *routeFlags) String() string { return fmt.Sprint(len(*r)) }
func (r *routeFlags) Set(s string) error {
	rt, err := bpfredirect.ParseRoute(s)
	if err != nil {
		return err
	}
	*r = append(*r, rt)
	return nil
}

func redirect(args []string) {
	fs := flag.NewFlagSet("redirect", flag.ExitOnError)
	ns := fs.String("netns", "", "named network namespace holding the host-side veths (required)")
	mode := fs.String("mode", "peer", "peer (bpf_redirect_peer) or egress (bpf_redirect)")
	attach := fs.String("attach", "", "comma-separated devices whose tc ingress gets the program (required)")
	var routes routeFlags
	fs.Var(&routes, "route", "IP,DEV,MAC: packets to IP leave via DEV to the pod eth0 with MAC (repeat)")
	check(fs.Parse(args))
	m, err := bpfredirect.ParseMode(*mode)
	if err != nil {
		fmt.Fprintf(os.Stderr, "-mode: %v\n", err)
		os.Exit(2)
	}
	if *ns == "" || *attach == "" || len(routes) == 0 {
		fmt.Fprintln(os.Stderr, "redirect: -netns, -attach and at least one -route are required")
		os.Exit(2)
	}
	check(bpfredirect.Setup(*ns, strings.Split(*attach, ","), routes, m))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// discard reads c until EOF with large reads ($CNIFX_RBUF bytes, default
// 32 KiB as io.Copy).
func discard(c net.Conn) {
	n := 32 << 10
	if s := os.Getenv("CNIFX_RBUF"); s != "" {
		fmt.Sscan(s, &n)
	}
	buf := make([]byte, n)
	for {
		if _, err := c.Read(buf); err != nil {
			break
		}
	}
	c.Close()
}

// spin keeps a CPU busy for d without touching memory. capture.sh runs it
// under SCHED_IDLE on the recorded CPU (as cnifx-idler, a symlink, so that
// every thread has that comm): any other task preempts it at once, so it
// stands in for the idle loop, but the CPU never halts. On hosts where a
// halted vCPU's cpu-clock timer does not run, samples in short busy
// bursts are lost (a 50 us burst every 500 us was sampled 46% of its
// schedstat run time, README.md "Idle that perf does not sample"); with
// the spinner every period is sampled.
func spin(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		for i := 0; i < 1<<10; i++ {
		}
	}
}
