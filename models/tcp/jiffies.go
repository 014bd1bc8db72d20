package tcp

import "github.com/cnisim/cnisim/sim"

// KernelHZs are the tick rates Options.HZ accepts: 0 (timers fire at
// exact times, as if the kernel had no tick) or one of Linux's CONFIG_HZ
// choices (kernel/Kconfig.hz).
var KernelHZs = []int{0, 100, 250, 300, 1000}

// timerAt is when a Linux TCP timer armed at now with the given timeout
// fires (Options.HZ; exact when it is 0). TCP keeps its timeouts in
// jiffies (icsk_rto, the probe's and RACK's usecs_to_jiffies, ato),
// rounding up, and arms a timer at jiffies + timeout. The timer wheel
// (kernel/time/timer.c calc_index, since 4.8) then files it in the bucket
// after its expiry at its level's granularity, so that it never fires
// early: at level 0 (timeouts under 63 jiffies) one tick after the
// expiry, above that at the next multiple of 8, 64, 512 ... ticks. So a
// timeout of N jiffies armed within jiffy j fires at tick j + N + 1, N to
// N+1 jiffies later. Measured on this kernel (CONFIG_HZ=250; `cnisim
// testbed timers`, testbed/testdata/timers-run1, 2026-12-06): the tail
// loss probe of a 10-segment flight lost whole (2 SRTT + 2 ms, one jiffy)
// came 4-8 ms after the flight in 36 of 40 tries (p50 6.24 ms, where
// exact timers say 2.06), and the RTO after it (51 jiffies, armed from
// the timer's softirq at a tick) 208.0 ms later in 39.
// Ticks are counted from simulated time 0 on every node.
func (o *Options) timerAt(now, timeout sim.Time) sim.Time {
	if o.HZ == 0 {
		return now + timeout
	}
	return o.tickAt(now, timeout)
}

// tickAt is timerAt on a kernel with a tick; kept out of line so that
// the per-ACK callers of timerAt carry only its HZ 0 branch.
//
//go:noinline
func (o *Options) tickAt(now, timeout sim.Time) sim.Time {
	jiffy := sim.Second / sim.Time(o.HZ) // TICK_NSEC: 3,333,333 ns at 300
	// usecs_to_jiffies of the timeout in whole microseconds, rounding up
	us := (max(timeout, 0) + sim.Microsecond - 1) / sim.Microsecond
	n := (us*sim.Time(o.HZ) + 999_999) / 1_000_000
	expires := now/jiffy + n
	shift := uint(0)
	for lvlStart := sim.Time(63); n >= lvlStart && shift < 24; lvlStart <<= 3 {
		shift += 3 // LVL_CLK_SHIFT: each level is 8 times coarser
	}
	return (((expires >> shift) + 1) << shift) * jiffy
}
