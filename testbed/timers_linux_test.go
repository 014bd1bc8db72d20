//go:build linux

package testbed

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A few flights lost whole on this kernel: the probe comes after 2 SRTT
// + 2 ms and the RTO after the RTO TCP_INFO reports, never before (less
// the write's own time), most within the model's tick interval when the
// kernel's CONFIG_HZ is readable; no namespace is left behind.
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
	for i, try := range r.Tries {
		p := PredictTimers(try, 0, TimersFlight)
		if try.ProbeUS < p.ProbeExact-200 || try.RTOFire < p.RTOExact-200 || try.SRTTUS <= 0 {
			t.Errorf("try %d: %+v: a timer before its time (%+v)", i, try, p)
		}
	}
	if r.HZ > 0 {
		if s := SummarizeTimers(r); s.ProbeWithin < 0.5 || s.RTOWithin < 0.5 {
			t.Errorf("CONFIG_HZ %d: %.0f%% of probes and %.0f%% of RTOs within the model's interval, want at least half: %+v", r.HZ, 100*s.ProbeWithin, 100*s.RTOWithin, r.Tries)
		}
	}
}
