package tcp

import (
	"testing"
	"unsafe"
)

// TestEndpointLayout checks that the fields a packet touches stay in the
// lines Prefetch asks for, and the rest behind them: a field added in the
// wrong place costs a cache miss per packet on a large fabric without
// changing any result.
func TestEndpointLayout(t *testing.T) {
	var ep Endpoint
	type field struct {
		name      string
		off, size uintptr
	}
	hotEnd := uintptr(64 * hotLines)
	sndStart := unsafe.Offsetof(ep.rtoTimer) &^ 63
	sndEnd := sndStart + uintptr(64*sndLines)
	statsLine := unsafe.Offsetof(ep.Stats) &^ 63 // the line Prefetch asks for (Stats need not start one)
	statsEnd := statsLine + 64
	for _, f := range []field{ // read or written for every data segment or ACK
		{"state", unsafe.Offsetof(ep.state), unsafe.Sizeof(ep.state)},
		{"sndUna", unsafe.Offsetof(ep.sndUna), unsafe.Sizeof(ep.sndUna)},
		{"cwnd", unsafe.Offsetof(ep.cwnd), unsafe.Sizeof(ep.cwnd)},
		{"retransStamp", unsafe.Offsetof(ep.retransStamp), unsafe.Sizeof(ep.retransStamp)},
		{"tlpHigh", unsafe.Offsetof(ep.tlpHigh), unsafe.Sizeof(ep.tlpHigh)},
		{"rcvNxt", unsafe.Offsetof(ep.rcvNxt), unsafe.Sizeof(ep.rcvNxt)},
		{"copies", unsafe.Offsetof(ep.copies), unsafe.Sizeof(ep.copies)},
		{"dsack", unsafe.Offsetof(ep.dsack), unsafe.Sizeof(ep.dsack)},
		{"OnAcked", unsafe.Offsetof(ep.OnAcked), unsafe.Sizeof(ep.OnAcked)},
		{"delack", unsafe.Offsetof(ep.delack), unsafe.Sizeof(ep.delack)},
		{"superAck", unsafe.Offsetof(ep.superAck), unsafe.Sizeof(ep.superAck)},
		{"winUpd", unsafe.Offsetof(ep.winUpd), unsafe.Sizeof(ep.winUpd)},
	} {
		if f.off+f.size > hotEnd {
			t.Errorf("%s at [%d, %d): beyond the %d bytes Prefetch asks for every packet", f.name, f.off, f.off+f.size, hotEnd)
		}
	}
	for _, f := range []field{ // an ACK's
		{"rtoTimer", unsafe.Offsetof(ep.rtoTimer), unsafe.Sizeof(ep.rtoTimer)},
		{"cc", unsafe.Offsetof(ep.cc), unsafe.Sizeof(ep.cc)},
		{"sb", unsafe.Offsetof(ep.sb), unsafe.Sizeof(ep.sb)},
	} {
		if f.off < sndStart || f.off+f.size > sndEnd {
			t.Errorf("%s at [%d, %d): outside the sender's lines [%d, %d)", f.name, f.off, f.off+f.size, sndStart, sndEnd)
		}
	}
	s := unsafe.Offsetof(ep.Stats)
	for _, f := range []field{ // Stats' counters a packet moves
		{"SegsSent", s + unsafe.Offsetof(ep.Stats.SegsSent), 8},
		{"AcksSent", s + unsafe.Offsetof(ep.Stats.AcksSent), 8},
		{"BytesAcked", s + unsafe.Offsetof(ep.Stats.BytesAcked), 8},
		{"BytesRead", s + unsafe.Offsetof(ep.Stats.BytesRead), 8},
		{"DataSegsRcvd", s + unsafe.Offsetof(ep.Stats.DataSegsRcvd), 8},
		{"DataSkbsRcvd", s + unsafe.Offsetof(ep.Stats.DataSkbsRcvd), 8},
	} {
		if f.off+f.size > statsEnd {
			t.Errorf("Stats.%s at [%d, %d): beyond the statistics' line Prefetch asks for [%d, %d)", f.name, f.off, f.off+f.size, statsLine, statsEnd)
		}
	}
	for _, f := range []field{ // loss recovery's and the connection's life's: behind
		{"highRxt", unsafe.Offsetof(ep.highRxt), 8},
		{"rtxLog", unsafe.Offsetof(ep.rtxLog), 8},
		{"undoCwnd", unsafe.Offsetof(ep.undoCwnd), 8},
		{"OnEstablished", unsafe.Offsetof(ep.OnEstablished), 8},
		{"FirstSyn", unsafe.Offsetof(ep.FirstSyn), 8},
	} {
		if f.off < s+unsafe.Sizeof(ep.Stats) {
			t.Errorf("%s at %d: among the per-packet fields (before %d)", f.name, f.off, s+unsafe.Sizeof(ep.Stats))
		}
	}
}
