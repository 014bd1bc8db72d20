//go:build linux

package testbed

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// rrRun is one RR run's counts: transactions, requests resent (UDP_RR),
// context switches and its window on CLOCK_MONOTONIC (its samples are
// counted when its script is written).
type rrRun struct {
	n, lost int64
	wakeups int64 // the flow's threads' context switches (0 where they are not recorded: UDP)
	t0, t1  float64
	idleS   float64 // the recorded CPUs' idle, iowait and steal time over the window (/proc/stat)
}

// runRR runs the RR flow start returns for d after a short warm-up
// (connect, first transactions) and counts its transactions.
func runRR(ctx context.Context, d time.Duration, cpus []int, start func() *flow) (rrRun, error) {
	var r rrRun
	f := start()
	if err := sleep(ctx, min(d/10, 100*time.Millisecond)); err != nil {
		_ = f.Stop()
		return r, err
	}
	n0, l0, t0 := f.received.Load(), f.sent.Load(), mono()
	w0, err0 := f.switches()
	i0, errI0 := unsampledJiffies(cpus)
	if err := sleep(ctx, d); err != nil {
		_ = f.Stop()
		return r, err
	}
	n1, l1, t1 := f.received.Load(), f.sent.Load(), mono()
	w1, err1 := f.switches()
	i1, errI1 := unsampledJiffies(cpus)
	if err := errors.Join(errI0, errI1); err != nil {
		_ = f.Stop()
		return r, err
	}
	r.idleS = float64(i1-i0) / userHZ
	if err := f.Stop(); err != nil {
		return r, err
	}
	if err := errors.Join(err0, err1); err != nil {
		return r, fmt.Errorf("wake-ups: %w", err)
	}
	return rrRun{n: n1 - n0, lost: l1 - l0, wakeups: w1 - w0, t0: t0, t1: t1, idleS: r.idleS}, nil
}

// measureRR runs TCP_RR and (with a UDP measurement) UDP_RR under one
// perf recording of the CPU, so each run's busy cycles per transaction
// are known besides its wall time: on a shared VM other jobs take the CPU
// between transactions, and the wall time per transaction counts them.
func measureRR(ctx context.Context, o Options, ghz float64, t *Topology, m *Measurement, tmp, comm string, ksoft []string) error {
	data := filepath.Join(tmp, "perf.data")
	rec, err := startPerf(ctx, data, o.recorded(), o.PeriodNS, 2*o.RR+20*time.Second)
	if err != nil {
		return err
	}
	tcp, err := runRR(ctx, o.RR, o.recorded(), func() *flow { return RR(t, o.CPU, o.CC) })
	if err != nil {
		_ = rec.stop()
		return fmt.Errorf("TCP_RR: %w", err)
	}
	var udp rrRun
	if m.UDP != nil {
		if udp, err = runRR(ctx, o.RR, o.recorded(), func() *flow { return UDPRR(t, o.CPU) }); err != nil {
			_ = rec.stop()
			return fmt.Errorf("UDP_RR: %w", err)
		}
	}
	if err := rec.stop(); err != nil {
		return err
	}
	// The scripts are kept for a calibration of the RR path (validate
	// only counts their samples).
	script := func(run rrRun, name string) (RRCPU, error) {
		n, err := writeScript(ctx, data, filepath.Join(o.Out, name), run.t0, run.t1, comm, ksoft)
		return n.rrCPU(name, o.PeriodNS, ghz, run.idleS), err
	}
	if m.RRCPU, err = script(tcp, m.Config.Name+".tcprr.script.gz"); err != nil {
		return err
	}
	m.RRTransactions, m.RRSeconds, m.RRWakeups = tcp.n, tcp.t1-tcp.t0, tcp.wakeups
	if u := m.UDP; u != nil {
		if u.RRCPU, err = script(udp, m.Config.Name+".udprr.script.gz"); err != nil {
			return err
		}
		u.RRTransactions, u.RRSeconds, u.RRLost = udp.n, udp.t1-udp.t0, udp.lost
	}
	return nil
}
