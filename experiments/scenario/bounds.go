package scenario

import (
	"time"

	"github.com/cnisim/cnisim/calibration"
)

// Upper (and lower) bounds of the numeric keys, checked once by validate
// so that a value that passes can neither wrap an integer nor make the
// simulator divide by (almost) zero. They are far outside any real
// cluster, so they only refuse typos and adversarial input.
//
// Simulated time is an int64 count of picoseconds (sim.Time), which wraps
// after 2^63 ps = 106.75 days. The bounds below keep every time the
// simulator derives from a scenario at least three orders of magnitude
// below that (derived, the worst cases):
//   - a duration key: MaxDuration = 7 days = 6.0e17 ps, and the sum of all
//     duration keys (duration + setup_delay + link_delay) 21 days = 1.8e18 ps;
//   - one CPU job: MaxCycles / MinCPUGHz = 1e10 / 0.01 GHz = 1e12 ns = 1e15 ps;
//     a per-byte job MaxCyclesPerByte x 2^30 bytes / 0.01 GHz = 1.1e17 ps;
//   - one frame on the wire: 65535 B x 8 / MinLinkGbps = 5.2e14 ps;
//   - the gap between two pod creations: 1 / MinArrival = 1000 s = 1e15 ps.
const (
	// MaxDuration bounds duration, warmup, cni.setup_delay and
	// cluster.link_delay (assumed: a week of simulated time is beyond any
	// experiment this simulator is for; 106 days would wrap).
	MaxDuration = 7 * 24 * time.Hour
	// MaxTimelineBins bounds duration / timeline: 6 series of 8 bytes per
	// bin and replication in memory, and a CSV row each (assumed: 1 ms
	// bins over 100 s).
	MaxTimelineBins = 100_000

	// MinCPUGHz and MaxCPUGHz bound cluster.cpu_ghz (assumed: 10 MHz to
	// 100 GHz brackets every CPU by 100x).
	MinCPUGHz = 0.01
	MaxCPUGHz = 100

	// MinLinkGbps and MaxLinkGbps bound cluster.link_gbps (assumed: 1
	// Mbit/s to 100 Tbit/s).
	MinLinkGbps = 0.001
	MaxLinkGbps = 100_000

	// MinRateMbps and MaxRateMbps bound a non-zero workload.rate_mbps (0
	// means unlimited).
	MinRateMbps = 0.001
	MaxRateMbps = 100_000_000

	// MaxCycles bounds the cycles of one stage crossing
	// (calibration.cycles.<stage>, a profile's cycles, a costed stage
	// with its policy rules) and workload.server.cycles_per_request
	// (assumed: 1e10 cycles is 4 s of a 2.4 GHz core for one packet, five
	// orders of magnitude above the dearest real stage).
	MaxCycles = calibration.MaxCycles
	// MaxScale bounds calibration.scale.<stage>, a multiplier of a
	// stage's costs; the scaled costs are checked against MaxCycles and
	// MaxCyclesPerByte when the profile is resolved.
	MaxScale = calibration.MaxScale

	// MaxCyclesPerByte bounds workload.server.cycles_per_byte and a
	// profile's cycles_per_byte (assumed: 1000 cycles per byte is 250x
	// nginx's 4).
	MaxCyclesPerByte = calibration.MaxCyclesPerByte

	// MinArrival and MaxArrival bound a pod arrival rate "N/s".
	MinArrival = 0.001
	MaxArrival = 1_000_000

	// MaxQdiscPackets, MaxPolicyRules: counts that size per-packet work
	// or queues (assumed: 1e6 is 1000x the Linux txqueuelen default and
	// 100x the largest rule sets measured in calibration/perf).
	MaxQdiscPackets = 1_000_000
	MaxPolicyRules  = 1_000_000

	// MaxSocketBytes bounds tcp.rmem and tcp.wmem (Linux caps socket
	// buffers at INT_MAX/2, about 2^30).
	MaxSocketBytes = 1 << 30

	// MinMinRTO and MaxMinRTO bound tcp.min_rto: Linux's tcp_rto_min_us
	// takes 1 µs and up (measured: writing 0 is refused, 1 accepted, in a
	// network namespace on the 6.18 VM, 2026-12-03); above the maximum
	// RTO, 120 s (tcp_rto_max_ms there), a minimum means nothing.
	MinMinRTO = time.Microsecond
	MaxMinRTO = 120 * time.Second

	// MaxFileBytes bounds workload.file_bytes (1 TiB).
	MaxFileBytes = 1 << 40

	// MaxPoints is the largest sweep Load expands even with --yes: the
	// point count is computed with overflow checks before expansion.
	MaxPoints = 1_000_000

	// maxErrors is how many field errors one message lists; the rest are
	// counted ("and 999990 more").
	maxErrors = 10
)
