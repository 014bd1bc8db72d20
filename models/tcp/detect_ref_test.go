package tcp

import (
	"fmt"
	"slices"
)

// Every test of this package runs detectLostRetx against the whole-log
// scan it replaced (RACK's rule as first written: every retransmission's
// delivery looked up in the scoreboard on every ACK) and panics on the
// first difference, so the loss and recovery tests check the incremental
// version ACK by ACK.
func init() { checkDetect = referenceDetect }

func referenceDetect(ep *Endpoint) func() {
	for _, r := range ep.rtxLog { // the bounds the scan trusts
		if r.start < ep.rtxLo || r.end > ep.rtxHi {
			panic(fmt.Sprintf("detectLostRetx: retransmission [%d, %d) outside the log's bounds [%d, %d)", r.start, r.end, ep.rtxLo, ep.rtxHi))
		}
	}
	hi := ep.sndUna
	if s := ep.sb.spans(); len(s) > 0 {
		hi = s[len(s)-1].end
	}
	last := -1
	for j := len(ep.rtxLog) - 1; j >= 0; j-- {
		if ep.retxDelivered(ep.rtxLog[j]) {
			last = j
			break
		}
	}
	relost := slices.Clone(ep.relost)
	var log []retxRec
	for j, r := range ep.rtxLog {
		switch {
		case ep.retxDelivered(r):
		case j < last || hi > r.fence:
			relost = append(relost, span{r.start, r.end})
		default:
			log = append(log, r)
		}
	}
	return func() {
		if !slices.Equal(log, ep.rtxLog) || !slices.Equal(relost, ep.relost) {
			panic(fmt.Sprintf("detectLostRetx: log %v relost %v, the whole scan gives %v and %v",
				ep.rtxLog, ep.relost, log, relost))
		}
	}
}
