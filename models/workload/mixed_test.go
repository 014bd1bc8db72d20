package workload

import (
	"reflect"
	"testing"
)

// mixed with no bulk stream is tcp_rr exactly (same random draws, same
// events); a backup stream on a 1 Gbit/s link queues the requests behind
// its packets, so the RR's median and tail latency rise and its
// transactions fall, while the bulk takes nearly the link.
func TestMixedBackupStream(t *testing.T) {
	t.Parallel()
	base := baseConfig(TCPRR)
	base.Cluster.LinkGbps = 1
	rr := run(t, base)

	alone := base
	alone.Workload.Kind = Mixed
	m0 := run(t, alone)
	if m0.TransactionsPerS != rr.TransactionsPerS || m0.LatencyP99us != rr.LatencyP99us || !reflect.DeepEqual(m0.Packets, rr.Packets) {
		t.Errorf("mixed with 0 bulk streams: %v transactions/s, p99 %v us; tcp_rr %v, %v", m0.TransactionsPerS, m0.LatencyP99us, rr.TransactionsPerS, rr.LatencyP99us)
	}
	if m0.ThroughputMbps != 0 {
		t.Errorf("mixed with 0 bulk streams moved %v Mbit/s of bulk", m0.ThroughputMbps)
	}

	loaded := alone
	loaded.Workload.BulkStreams = 1
	m1 := run(t, loaded)
	if !(m1.LatencyP50us > rr.LatencyP50us && m1.LatencyP99us > rr.LatencyP99us && m1.TransactionsPerS < rr.TransactionsPerS) {
		t.Errorf("a backup stream: p50 %v -> %v us, p99 %v -> %v us, %v -> %v transactions/s: want latency up, transactions down",
			rr.LatencyP50us, m1.LatencyP50us, rr.LatencyP99us, m1.LatencyP99us, rr.TransactionsPerS, m1.TransactionsPerS)
	}
	if m1.ThroughputMbps < 800 || m1.ThroughputMbps > 1000 {
		t.Errorf("the backup stream moved %v Mbit/s on a 1 Gbit/s link", m1.ThroughputMbps)
	}
	t.Logf("RR alone: p50 %.1f us p99 %.1f us %.0f/s; with a backup stream: p50 %.1f us p99 %.1f us %.0f/s, bulk %.0f Mbit/s",
		rr.LatencyP50us, rr.LatencyP99us, rr.TransactionsPerS, m1.LatencyP50us, m1.LatencyP99us, m1.TransactionsPerS, m1.ThroughputMbps)
}

// A backup stream paced below the link (workload.rate_mbps) moves its
// rate and leaves the RR a shorter queue than an unpaced one that fills
// the link: its latency's tail lies between the RR's alone and the
// unpaced backup's.
func TestMixedPacedBackup(t *testing.T) {
	t.Parallel()
	base := baseConfig(Mixed)
	base.Cluster.LinkGbps = 1
	base.Workload.BulkStreams = 1
	unpaced := run(t, base)
	paced := base
	paced.Workload.RateMbps = 300
	p := run(t, paced)
	if p.ThroughputMbps < 294 || p.ThroughputMbps > 306 {
		t.Errorf("the backup paced to 300 Mbit/s moved %.1f", p.ThroughputMbps)
	}
	alone := base
	alone.Workload.BulkStreams = 0
	a := run(t, alone)
	if !(a.LatencyP99us <= p.LatencyP99us && p.LatencyP99us < unpaced.LatencyP99us) {
		t.Errorf("RR p99 alone %.1f us, beside a 300 Mbit/s backup %.1f, beside an unpaced one %.1f: want them in that order",
			a.LatencyP99us, p.LatencyP99us, unpaced.LatencyP99us)
	}
	t.Logf("RR p50/p99: alone %.1f/%.1f us, paced backup (%.0f Mbit/s) %.1f/%.1f, unpaced backup (%.0f Mbit/s) %.1f/%.1f",
		a.LatencyP50us, a.LatencyP99us, p.ThroughputMbps, p.LatencyP50us, p.LatencyP99us, unpaced.ThroughputMbps, unpaced.LatencyP50us, unpaced.LatencyP99us)
}
