package network

import (
	"testing"
	"unsafe"
)

// TestPacketLayout keeps a packet at 80 bytes with the per-hop fields in
// its first 32 (packet.go says why).
func TestPacketLayout(t *testing.T) {
	var p Packet
	if n := unsafe.Sizeof(p); n != 80 {
		t.Errorf("Packet is %d bytes, want 80", n)
	}
	if off := unsafe.Offsetof(p.id) + unsafe.Sizeof(p.id); off > 32 {
		t.Errorf("the network's fields end at byte %d, want <= 32", off)
	}
}
