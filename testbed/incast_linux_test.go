//go:build linux

package testbed

import (
	"context"
	"errors"
	"math"
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A small real incast: 4 workers x 20,000 bytes at 10 Mbit/s through an
// ample buffer finish within 2x of the bytes' serialisation at the
// bottleneck (framing included), drop nothing there, and leave no
// namespace behind.
func TestMeasureIncastSmall(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("integration test: needs root (network namespaces, tc)")
	}
	if _, err := exec.LookPath("tc"); err != nil {
		t.Skip("integration test: no tc")
	}
	if testing.Short() {
		t.Skip("-short: builds a topology and runs 3 queries (~2 s)")
	}
	o := DefaultIncastOptions()
	o.Senders, o.Buffers, o.Queries, o.Gap, o.RTTs, o.LockWait = []int{4}, []int64{256000}, 3, 100*time.Millisecond, 5, 2*time.Minute
	o.Command = "go test"
	r, err := MeasureIncast(context.Background(), o)
	if errors.Is(err, unix.EWOULDBLOCK) {
		t.Skipf("a testbed run holds the lock: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	assertClean(t)
	if len(r.Configs) != 1 || len(r.Configs[0].Queries) != 3 || len(r.Configs[0].IdleRTTsUS) != 5 || !(r.IdleRTTUS > 0) {
		t.Fatalf("run %+v", r)
	}
	c := r.Configs[0]
	// the closed form: every segment's payload and 66 bytes of headers
	// (IP 20, TCP with timestamps 32, Ethernet 14) at the rate
	segs := (o.Bytes + 1447) / 1448
	closed := float64(4*(o.Bytes+66*segs)) * 8 / (o.RateMbit * 1e6) * 1e6 // us
	for i, q := range c.Queries {
		if len(q.ResponsesUS) != 4 || q.ResponsesUS[3] != q.QCTUS {
			t.Errorf("query %d: responses at %v us, QCT %d us", i, q.ResponsesUS, q.QCTUS)
		}
		if q.Unfinished || float64(q.QCTUS) < closed/2 || float64(q.QCTUS) > 2*closed {
			t.Errorf("query %d: %+v, want a QCT within 2x of %.0f us", i, q, closed)
		}
	}
	if c.TCDrops != 0 || c.TCPackets < 3*4*segs {
		t.Errorf("bottleneck: %d drops, %d packets (want 0 and >= %d)", c.TCDrops, c.TCPackets, 3*4*segs)
	}
	for _, k := range IncastCounters {
		if _, ok := c.Counters[k.Name]; k.Required && !ok {
			t.Errorf("no counter %s: %v", k.Name, c.Counters)
		}
	}
	if c.Counters["TcpOutSegs"] < 3*4*segs {
		t.Errorf("TcpOutSegs %d, want >= %d", c.Counters["TcpOutSegs"], 3*4*segs)
	}
	if r.Sysctls["net/ipv4/tcp_no_metrics_save"] != "1" || r.Tools["tc"] == "" {
		t.Errorf("sysctls %v, tools %v", r.Sysctls, r.Tools)
	}
	// the record loads back
	dir := t.TempDir()
	if err := r.Save(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIncast(dir); err != nil {
		t.Fatal(err)
	}
	rows := MeasuredIncast(r)
	if math.IsNaN(rows[0].MeasP50) || rows[0].Queries != 3 {
		t.Errorf("rows %+v", rows)
	}
}
