package datapath

import (
	"math"
	"testing"
)

// Wire bytes per frame: Ethernet adds 18 (header + FCS) + 20 (preamble and
// inter-frame gap) and pads payloads to 46 bytes (IEEE 802.3); PPP adds 2.
func TestWireBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		f        Framing
		ip, want int
	}{
		{Ethernet, 1500, 1538},
		{Ethernet, 9000, 9038},
		{Ethernet, 52, 90}, // a pure ACK with timestamps
		{Ethernet, 40, 84}, // padded to the 64-byte minimum frame + 20
		{PPP, 1500, 1502},
		{PPP, 40, 42},
	}
	for _, tt := range tests {
		if got := tt.f.WireBytes(tt.ip); got != tt.want {
			t.Errorf("%+v.WireBytes(%d) = %d, want %d", tt.f, tt.ip, got, tt.want)
		}
	}
	if WireBytes(1500, 38) != 1538 {
		t.Error("WireBytes(1500, 38) != 1538")
	}
}

// Goodput with free CPUs = R x MSS / (MTU + encap + 38) (DESIGN 2).
func TestGoodput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mtu, encap int
		want       float64
	}{
		{1500, 0, 10e9 * 1448 / 1538}, // 9.415 Gbit/s: the "9.4 Gbit/s" of 10 GbE
		{1450, 50, 10e9 * 1398 / 1538},
		{9000, 0, 10e9 * 8948 / 9038},
	}
	for _, tt := range tests {
		got := Goodput(10e9, tt.mtu, tt.encap, DefaultFrameOverhead)
		if math.Abs(got-tt.want) > 1 {
			t.Errorf("Goodput(mtu %d, encap %d) = %g, want %g", tt.mtu, tt.encap, got, tt.want)
		}
	}
	if g := Goodput(10e9, 1500, 0, 38); g < 9.41e9 || g > 9.42e9 {
		t.Errorf("native goodput at 1500 = %g, want 9.41-9.42 Gbit/s", g)
	}
	// 10 GbE at MTU 1500 carries 812,744 frames/s.
	if r := PacketRate(10e9, 1500, 38); math.Abs(r-10e9/8/1538) > 1e-6 || r < 812e3 || r > 813e3 {
		t.Errorf("PacketRate = %g", r)
	}
}
