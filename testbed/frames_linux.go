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
	"path/filepath"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// MeasureFrames runs benchmark b: o.Reps rounds, each a fresh topology and window per
// tunnel, "none" first, so that each tunnel's share is a difference
// within a round. It holds the testbed's lock (a testbed run would share
// the CPU and the prefix), removes a killed run's leftovers first, and
// every namespace with the prefix on return, whatever happens (a signal
// cancels ctx and returns through the same path).
func MeasureFrames(ctx context.Context, b *FrameBench, o FrameOptions) (*FrameRun, error) {
	if err := Preflight(); err != nil {
		return nil, err
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	tuns, err := ParseFrameTunnels(strings.Join(o.Tunnels, ","))
	if err != nil {
		return nil, fmt.Errorf("tunnels %v: %w", o.Tunnels, err)
	}
	o.Tunnels = tuns
	if o.CPU < 0 || o.CPU > lastCPU() {
		return nil, fmt.Errorf("CPU %d: this machine has CPUs 0..%d", o.CPU, lastCPU())
	}
	recv, err := otherCPU(o.CPU) // the reader's: the softirqs (GRO's NAPI) share the sender's
	if err != nil {
		return nil, err
	}
	release, m, err := takeTestbed(ctx, o.LockWait, o.CPU, o.Log)
	if err != nil {
		return nil, err
	}
	defer release()
	r := &FrameRun{Kind: b.Name, Command: o.Command, Date: time.Now().UTC().Format(time.RFC3339), Kernel: kernelRelease(), CPUModel: m.model,
		CPUGHz: m.mhz / 1000, GHzFrom: m.ghzFrom,
		CPU: o.CPU, ReceiverCPU: recv, Perf: m.perf, Reps: max(o.Reps, 1), Tunnels: o.Tunnels,
		DurS: o.Dur.Seconds(), WarmupS: o.Warmup.Seconds(), Loadavg: loadavg()}
	tmp, err := os.MkdirTemp(filepath.Dir(scratchDir("")), filepath.Base(scratchDir("")))
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	for rep := 1; rep <= r.Reps; rep++ {
		for _, tun := range o.Tunnels {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("stopped before rep %d, %s: %w", rep, tun, context.Cause(ctx))
			}
			w, err := frameWindow(ctx, b, o, recv, tun, filepath.Join(tmp, "perf.data"))
			if err != nil {
				return nil, fmt.Errorf("rep %d, tunnel %s: %w", rep, tun, err)
			}
			w.Rep = rep
			c, _ := w.CyclesPerFrame(b, r.CPUGHz)
			fmt.Fprintf(o.Log, "rep %d, %s: %d %ss in %.2f s, %d samples (%v), %.0f cycles per %s\n", rep, tun, w.Frames, b.Unit, w.WindowS, w.Samples, w.Groups, c, b.Unit)
			r.Windows = append(r.Windows, *w)
		}
	}
	r.LoadavgEnd = loadavg()
	return r, nil
}

// frameWindow builds the veth pair (and tunnel), streams over it and
// records one window of the sender's CPU; the topology is removed again.
func frameWindow(ctx context.Context, b *FrameBench, o FrameOptions, recv int, tunnel, data string) (*FrameWindow, error) {
	defer Cleanup()
	t, err := buildFrameTopology(b, tunnel)
	if err != nil {
		return nil, err
	}
	t.ClientCPU, t.SplitCPUs = o.CPU, true
	f := Stream(t, recv, "cubic", 0) // unpaced, as iperf3 in the scripts
	stopped := false
	defer func() {
		if !stopped {
			_ = f.Stop()
		}
	}()
	began := time.Now()
	rec, err := startPerf(ctx, data, []int{o.CPU}, o.PeriodNS, o.Warmup+o.Dur+20*time.Second)
	if err != nil {
		return nil, err
	}
	if err := sleep(ctx, o.Warmup-time.Since(began)); err != nil {
		_ = rec.stop()
		return nil, err
	}
	date := time.Now().UTC().Format(time.RFC3339)
	t0, rx0, err := countFrames(b, t)
	if err != nil {
		_ = rec.stop()
		return nil, err
	}
	p0 := f.received.Load()
	if err := sleep(ctx, o.Dur); err != nil {
		_ = rec.stop()
		return nil, err
	}
	t1, rx1, err := countFrames(b, t)
	p1 := f.received.Load()
	perr := rec.stop()
	stopped = true
	if ferr := f.Stop(); ferr != nil {
		return nil, fmt.Errorf("traffic: %w", ferr)
	}
	if err = errors.Join(err, perr); err != nil {
		return nil, err
	}
	if rx1 <= rx0 || p1 <= p0 {
		return nil, fmt.Errorf("no traffic counted over the window (%s %s)", t.ReceiverNS, t.RecvDev)
	}
	n, err := frameScript(ctx, b, data, o.CPU, t0, t1)
	if err != nil {
		return nil, err
	}
	return &FrameWindow{Tunnel: tunnel, Date: date, WindowS: t1 - t0, Frames: int64(rx1 - rx0), PeriodNS: o.PeriodNS, FrameCount: n}, nil
}

// countFrames reads the time and what b counts: the receiving veth's
// rx_packets (GRO's frames) or the sending veth's tx_packets (GSO's
// segments, after the cut).
func countFrames(b *FrameBench, t *Topology) (float64, uint64, error) {
	tx := b == GSOBench
	ns, dev := t.ReceiverNS, t.RecvDev
	if tx {
		ns, dev = t.SenderNS, t.SenderDev
	}
	h, err := handle(ns)
	if err != nil {
		return 0, 0, err
	}
	defer h.Close()
	t0 := mono()
	s, err := readStats(h, dev)
	n := s.rxPackets
	if tx {
		n = s.txPackets
	}
	return (t0 + mono()) / 2, n, err
}

// frameScript counts the samples of the recording between t0 and t1
// (CLOCK_MONOTONIC, perf's clock with -k): with the call chains hidden
// (-G) when only the leaf symbol counts.
func frameScript(ctx context.Context, b *FrameBench, data string, cpu int, t0, t1 float64) (FrameCount, error) {
	args := []string{"script", "-i", data, "--time", fmt.Sprintf("%.6f,%.6f", t0, t1), "-F", scriptFields}
	if !b.Stack {
		args = append(args, "-G")
	}
	cmd := exec.CommandContext(ctx, "perf", args...)
	var errb strings.Builder
	cmd.Stderr = &errb
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return FrameCount{}, err
	}
	if err := cmd.Start(); err != nil {
		return FrameCount{}, fmt.Errorf("perf script: %w", err)
	}
	n, perr := ParseFrameScript(pipe, cpu, b)
	if perr != nil {
		_ = cmd.Process.Kill()
	}
	werr := cmd.Wait()
	if perr != nil {
		return n, fmt.Errorf("perf script output: %w", perr)
	}
	if werr != nil {
		return n, fmt.Errorf("perf script: %v: %s", werr, errb.String())
	}
	if n.Samples == 0 {
		return n, fmt.Errorf("perf script: no samples of CPU %d in the window", cpu)
	}
	return n, nil
}

// groAddr is the address of side i (0: sender, 1: receiver) on net
// 10.77 (the veth) or 10.78 (the tunnel inside), as gro-frame.sh's (the
// GSO benchmark uses the same: the two never run at once).
func groAddr(net, i int) string { return fmt.Sprintf("10.%d.0.%d", net, i+1) }

// buildFrameTopology makes the scripts' topology: namespaces a and b
// joined by a veth pair eth0, and with a tunnel a device tun0 in each over
// the veth's addresses. GRO (gro-frame.sh): the sender's veth and tun0
// have TSO and GSO off, so MTU-sized frames cross them, and the
// receiver's veth GRO on, which gives it its NAPI. GSO (gso-segment.sh):
// the sender's veth has TSO off and GSO on, so it cuts in software what
// TCP (or tun0, its offloads left on) hands it as super-packets; the
// receiver is left as made. On error everything with the prefix is
// removed.
func buildFrameTopology(b *FrameBench, tunnel string) (t *Topology, err error) {
	defer func() {
		if err != nil {
			_, _ = Cleanup()
			err = fmt.Errorf("build the %s topology (tunnel %s): %w", strings.ToUpper(b.Name), tunnel, err)
		}
	}()
	gso := b == GSOBench
	t = &Topology{SenderNS: nsName("a"), ReceiverNS: nsName("b"), SenderDev: "eth0", RecvDev: "eth0", ServerIP: net.ParseIP(groAddr(77, 1))}
	for _, role := range []string{"a", "b"} {
		if err := t.ns(role, false); err != nil {
			return nil, err
		}
	}
	if err := veth(t.SenderNS, "eth0", podMAC(1), t.ReceiverNS, "eth0", podMAC(2)); err != nil {
		return nil, err
	}
	for i, ns := range t.Namespaces {
		if err := up(ns, "eth0", groAddr(77, i)+"/24"); err != nil {
			return nil, err
		}
	}
	if gso {
		if err := setOffloads(t.SenderNS, "eth0", 0, ethtoolSTSO); err != nil {
			return nil, err
		}
		if err := setOffloads(t.SenderNS, "eth0", 1, ethtoolSGSO); err != nil {
			return nil, err
		}
	} else {
		if err := setOffloads(t.SenderNS, "eth0", 0, ethtoolSTSO, ethtoolSGSO); err != nil {
			return nil, err
		}
		if err := setOffloads(t.ReceiverNS, "eth0", 1, ethtoolSGRO); err != nil {
			return nil, err
		}
	}
	if tunnel == "none" {
		return t, nil
	}
	for i, ns := range t.Namespaces {
		if err := groTunnel(ns, tunnel, groAddr(77, i), groAddr(77, 1-i)); err != nil {
			return nil, err
		}
		if err := up(ns, "tun0", groAddr(78, i)+"/24"); err != nil {
			return nil, err
		}
		if gso {
			continue
		}
		if err := setOffloads(ns, "tun0", 0, ethtoolSTSO, ethtoolSGSO); err != nil {
			return nil, err
		}
	}
	t.ServerIP = net.ParseIP(groAddr(78, 1))
	return t, nil
}

// groTunnel adds tunnel device tun0 in ns from local to remote: VXLAN id
// 42 on UDP 4789 over eth0, or GRE or IP-in-IP.
func groTunnel(ns, tunnel, local, remote string) error {
	return withLink(ns, "eth0", func(h *netlink.Handle, l netlink.Link) error {
		attrs := netlink.LinkAttrs{Name: "tun0"}
		var dev netlink.Link
		switch tunnel {
		case "vxlan":
			dev = &netlink.Vxlan{LinkAttrs: attrs, VxlanId: 42, Port: 4789, VtepDevIndex: l.Attrs().Index,
				SrcAddr: net.ParseIP(local), Group: net.ParseIP(remote)}
		case "gre":
			dev = &netlink.Gretun{LinkAttrs: attrs, Local: net.ParseIP(local), Remote: net.ParseIP(remote)}
		case "ipip":
			dev = &netlink.Iptun{LinkAttrs: attrs, Local: net.ParseIP(local), Remote: net.ParseIP(remote)}
		default:
			return fmt.Errorf("unknown tunnel %q (allowed: %s)", tunnel, strings.Join(FrameTunnels, ", "))
		}
		if err := h.LinkAdd(dev); err != nil {
			return &MissingError{What: fmt.Sprintf("%s tunnels: this kernel cannot make a %s device: %v", tunnel, tunnel, err), Hint: "its module missing? modprobe " + map[string]string{"vxlan": "vxlan", "gre": "ip_gre", "ipip": "ipip"}[tunnel]}
		}
		return nil
	})
}

// setOffloads sets legacy ethtool flags (ethtoolS*) of dev in ns to value.
func setOffloads(ns, dev string, value uint32, cmds ...uint32) error {
	return inNS(ns, func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		for _, c := range cmds {
			if _, err := ethtoolValue(fd, dev, c, value); err != nil {
				return fmt.Errorf("ethtool %#x %d on %s/%s: %w", c, value, ns, dev, err)
			}
		}
		return nil
	})
}
