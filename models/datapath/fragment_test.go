package datapath

import (
	"slices"
	"testing"
)

// RFC 791 fragmentation: each fragment has its own 20-byte header and
// non-final payloads are multiples of 8.
func TestFragments(t *testing.T) {
	t.Parallel()
	tests := []struct {
		len, mtu int
		want     []int
	}{
		{1500, 1500, []int{1500}},
		{1501, 1500, []int{1500, 21}},         // 1480 payload bytes, then 1
		{1550, 1500, []int{1500, 70}},         // VXLAN on a full 1500-byte pod packet
		{9037, 9000, []int{8996, 61}},         // Weave VXLAN+ESP at pod MTU 8950: 8976 = floor(8980/8)*8
		{4000, 1500, []int{1500, 1500, 1040}}, // 3980 = 1480 + 1480 + 1020
		{1000, 576, []int{572, 448}},          // 556 -> 552 (multiple of 8); 980 - 552 = 428 (+20)
	}
	for _, tt := range tests {
		got, err := Fragments(nil, tt.len, tt.mtu)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Fragments(%d, %d) = %v, %v; want %v", tt.len, tt.mtu, got, err, tt.want)
			continue
		}
		n, _ := FragmentCount(tt.len, tt.mtu)
		if n != len(tt.want) {
			t.Errorf("FragmentCount(%d, %d) = %d, want %d", tt.len, tt.mtu, n, len(tt.want))
		}
		sum := 0
		for i, f := range got {
			if f > tt.mtu {
				t.Errorf("fragment %d of %d bytes exceeds MTU %d", i, f, tt.mtu)
			}
			if i < len(got)-1 && (f-IPv4Header)%8 != 0 {
				t.Errorf("fragment %d payload %d not a multiple of 8", i, f-IPv4Header)
			}
			sum += f - IPv4Header
		}
		if sum != tt.len-IPv4Header {
			t.Errorf("fragments of %d carry %d payload bytes, want %d", tt.len, sum, tt.len-IPv4Header)
		}
	}
}

// One byte over the underlay MTU: two fragments, or a drop with DF.
func TestOversize(t *testing.T) {
	t.Parallel()
	if n, drop, err := Oversize(1501, 1500, false); n != 2 || drop || err != nil {
		t.Errorf("Oversize(1501, 1500, false) = %d, %v, %v; want 2 fragments", n, drop, err)
	}
	if n, drop, _ := Oversize(1501, 1500, true); n != 0 || !drop {
		t.Errorf("Oversize(1501, 1500, DF) = %d, %v; want a drop", n, drop)
	}
	if n, drop, _ := Oversize(1500, 1500, true); n != 1 || drop {
		t.Errorf("Oversize(1500, 1500, DF) = %d, %v; want 1", n, drop)
	}
	if _, err := FragmentCount(100, 20); err == nil {
		t.Error("MTU 20 should be an error")
	}
	if _, err := Fragments(nil, 10, 1500); err == nil {
		t.Error("a 10-byte IPv4 packet should be an error")
	}
}
