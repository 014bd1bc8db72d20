package tcp

import "testing"

// TestScoreboard: SACKed ranges merge, trim at the cumulative ACK, and
// RFC 6675's IsLost marks the unSACKed bytes below the point where more
// than (DupThresh - 1) x SMSS bytes are SACKed above (here SMSS = 10).
func TestScoreboard(t *testing.T) {
	t.Parallel()
	var sb scoreboard
	steps := []struct {
		start, end, newly int64
	}{{30, 40, 10}, {50, 60, 10}, {35, 45, 5}, {45, 50, 5}, {70, 80, 10}, {10, 20, 10}}
	for _, s := range steps {
		if got := sb.add(s.start, s.end); got != s.newly {
			t.Errorf("add [%d,%d): newly SACKed %d, want %d", s.start, s.end, got, s.newly)
		}
	}
	// [10,20) [30,60) [70,80): 50 bytes
	want := []span{{10, 20}, {30, 60}, {70, 80}}
	if got := sb.spans(); len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || sb.sacked != 50 {
		t.Fatalf("spans %v sacked %d, want %v and 50", got, sb.sacked, want)
	}
	// 10 above 70, 40 above 30 > 2 x 10: lost below 30
	if l := sb.lostBelow(0, 10); l != 30 {
		t.Errorf("lost below %d, want 30", l)
	}
	if n := sb.unsacked(0, 30); n != 20 {
		t.Errorf("unsacked in [0,30) = %d, want 20", n)
	}
	if seq, next := sb.nextHole(12, 100); seq != 20 || next != 30 {
		t.Errorf("next hole from 12: %d up to %d, want 20 up to 30", seq, next)
	}
	if gone := sb.trim(35); gone != 15 || sb.spans()[0] != (span{35, 60}) {
		t.Errorf("trim at 35: %d SACKed bytes acknowledged (want 15), spans %v", gone, sb.spans())
	}
	if l := sb.lostBelow(35, 10); l != 35 {
		t.Errorf("after trim lost below %d, want 35 (span start)", l)
	}
	sb.trim(100)
	if !sb.empty() || sb.sacked != 0 {
		t.Errorf("after a full ACK: spans %v, sacked %d", sb.spans(), sb.sacked)
	}
}

// TestSACKLog: ACK options come back by id, older ones are forgotten, the
// ring grows across wrap-around without losing entries.
func TestSACKLog(t *testing.T) {
	t.Parallel()
	var l sackLog
	for i := range 39 { // the ring wraps and grows (16, 32, 64)
		id := l.push(&sackRec{n: 1, blk: [maxSACKBlocks]span{{int64(i), int64(i + 1)}}})
		if id != uint64(i) {
			t.Fatalf("id %d, want %d", id, i)
		}
		if i%3 == 0 { // the sender reads every third ACK
			r, ok := l.take(id)
			if !ok || r.blk[0].start != int64(i) {
				t.Fatalf("take %d: %v %v", id, r, ok)
			}
		}
	}
	if r, ok := l.take(38); !ok || r.blk[0].start != 38 {
		t.Errorf("take 38 = %v %v", r, ok)
	}
	if _, ok := l.take(37); ok {
		t.Errorf("id 37 should be forgotten after 38 was read")
	}
}
