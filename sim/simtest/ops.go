package simtest

import (
	"fmt"
	"math"

	"github.com/cnisim/cnisim/sim"
)

// CheckOps decodes data into a sequence of pushes and pops, applies it to q
// and to a Reference, then drains both, and returns an error at the first
// difference. Every byte sequence decodes to a valid (monotone) sequence,
// which makes it a fuzz target.
//
// Encoding, per operation byte c:
//   - c%4 == 0: pop.
//   - c%4 == 1: push at the current time (the last time popped): a tie.
//   - c%4 == 2: push at the time of the previous push, if not in the past.
//   - c%4 == 3: push at now + v<<s, where v is the next byte and
//     s = (c>>2)%48, saturating at sim.Never-1.
func CheckOps(q Queue, data []byte) error {
	var ref Reference
	var now, prev sim.Time
	var id uint64
	pops := 0
	pop := func() error {
		wantAt, wantID, wantOK := ref.Pop()
		at, gotID, ok := q.Pop()
		pops++
		if ok != wantOK || at != wantAt || gotID != wantID {
			return fmt.Errorf("pop %d: got (t=%d, id=%d, ok=%v), want (t=%d, id=%d, ok=%v)",
				pops, at, gotID, ok, wantAt, wantID, wantOK)
		}
		if ok {
			now = at
		}
		return nil
	}
	push := func(at sim.Time) {
		id++
		ref.Push(at, id)
		q.Push(at, id)
		prev = at
	}
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch c % 4 {
		case 0:
			if err := pop(); err != nil {
				return err
			}
		case 1:
			push(now)
		case 2:
			push(max(prev, now))
		case 3:
			var v uint64
			if i+1 < len(data) {
				i++
				v = uint64(data[i])
			}
			d := v << ((c >> 2) % 48)
			at := sim.Time(math.MaxInt64 - 1)
			if d < uint64(at-now) {
				at = now + sim.Time(d)
			}
			push(at)
		}
		if q.Len() != ref.Len() {
			return fmt.Errorf("after op %d: Len() = %d, want %d", i, q.Len(), ref.Len())
		}
	}
	for ref.Len() > 0 {
		if err := pop(); err != nil {
			return err
		}
	}
	if _, _, ok := q.Pop(); ok || q.Len() != 0 {
		return fmt.Errorf("drained queue: Pop ok=%v, Len() = %d, want empty", ok, q.Len())
	}
	return nil
}
