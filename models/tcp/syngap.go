package tcp

import "github.com/cnisim/cnisim/sim"

// SynGap is the wait after SYN attempt k (0 = the first) before the next,
// on the options' schedule (exponential: 1, 2, 4 ... s; linear4: 1 s four
// times, then doubling), capped at MaxRTO: what a workload that drops a
// SYN itself (a full conntrack table) retries on.
func (o Options) SynGap(k int) sim.Time {
	o = o.Defaults()
	return o.synGap(k)
}
