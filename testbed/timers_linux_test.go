//go:build linux

package testbed

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A few flights lost whole on this kernel: the probe comes after 2 SRTT
// + 2 ms and the RTO after the RTO TCP_INFO reports, never before (less
// the write's own time), nor before its whole jiffies when the kernel's
// CONFIG_HZ is readable; no namespace is left behind.
func TestMeasureTimers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("integration test: needs root (network namespaces, nftables)")
	}
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("integration test: no nft")
	}
	if testing.Short() {
		t.Skip("-short: builds a topology and loses 6 flights (~2 s)")
	}
	r, err := MeasureTimers(context.Background(), TimersOptions{Tries: 6, Segments: TimersFlight, Command: "go test", LockWait: 2 * time.Minute})
	if errors.Is(err, unix.EWOULDBLOCK) {
		t.Skipf("a testbed run holds the lock: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t)
	if len(r.Tries) != 6 || r.Kernel == "" {
		t.Fatalf("run %+v", r)
	}
	// The RTO is dated from the probe as the poller saw it, so a probe
	// seen late (the poller descheduled under load) shortens the RTO as
	// much: the RTO's bound is checked on the two together, from the
	// flight, which only the kernel's timers set.
	for i, try := range r.Tries {
		p := PredictTimers(try, 0, TimersFlight)
		if try.ProbeUS < p.ProbeExact-200 || try.ProbeUS+try.RTOFire < p.ProbeExact+p.RTOExact-200 || try.SRTTUS <= 0 {
			t.Errorf("try %d: %+v: a timer before its time (%+v)", i, try, p)
		}
	}
	if r.HZ == 0 {
		return
	}
	// On the tick: no timer before its whole jiffies (the exact model's
	// probe, 2 SRTT + 2 ms, is a jiffy or more earlier), and the median
	// within a few jiffies past the model's interval. Load (go test runs
	// packages side by side) delays the timer softirq, never advances it,
	// so only the lower bound is exact; the fraction within the interval
	// is measured quiet by `cnisim testbed timers`.
	jiffy := 1e6 / float64(r.HZ)
	var lateProbe, lateRTO []float64
	for i, try := range r.Tries {
		p := PredictTimers(try, r.HZ, TimersFlight)
		if try.ProbeUS <= p.ProbeLo-200 || try.ProbeUS+try.RTOFire <= p.ProbeLo+p.RTOLo-200 {
			t.Errorf("try %d: %+v: a timer before its jiffies (%+v)", i, try, p)
		}
		lateProbe = append(lateProbe, try.ProbeUS-p.ProbeHi)
		lateRTO = append(lateRTO, try.RTOFire-p.RTOHi)
	}
	slices.Sort(lateProbe)
	slices.Sort(lateRTO)
	if m, n := lateProbe[len(lateProbe)/2], lateRTO[len(lateRTO)/2]; m > 4*jiffy || n > 4*jiffy {
		t.Errorf("CONFIG_HZ %d: the median probe %.0f us and RTO %.0f us past the model's interval, more than four jiffies: %+v", r.HZ, m, n, r.Tries)
	}
	s := SummarizeTimers(r)
	t.Logf("CONFIG_HZ %d: %.0f%% of probes and %.0f%% of RTOs within the model's interval", r.HZ, 100*s.ProbeWithin, 100*s.RTOWithin)
}
