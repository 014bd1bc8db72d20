package datapath

import "testing"

// Pod MTU and MSS per encapsulation at the two underlay MTUs of the sources
// (paper III.A: 1500; vendor analysis: 9000). Overheads: DESIGN 2 and the
// RFCs cited in encap.go; MSS = MTU - 52 (IPv4 20 + TCP 20 + timestamps 12).
func TestPodMTUAndMSS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e                Encap
		overhead         int
		mtu1500, mss1500 int
		mtu9000, mss9000 int
	}{
		{EncapNone, 0, 1500, 1448, 9000, 8948},
		{EncapVXLAN, 50, 1450, 1398, 8950, 8898},
		{EncapGeneve, 50, 1450, 1398, 8950, 8898},
		{EncapIPIP, 20, 1480, 1428, 8980, 8928},
		{EncapGRE, 24, 1476, 1424, 8976, 8924},
		{EncapWireGuard, 60, 1440, 1388, 8940, 8888},
		{EncapUDP, 28, 1472, 1420, 8972, 8920},
		{EncapESP, 37, 1463, 1411, 8963, 8911},
	}
	for _, tt := range tests {
		if got := tt.e.Overhead(); got != tt.overhead {
			t.Errorf("%s overhead = %d, want %d", tt.e, got, tt.overhead)
		}
		for _, u := range []struct{ underlay, mtu, mss int }{{1500, tt.mtu1500, tt.mss1500}, {9000, tt.mtu9000, tt.mss9000}} {
			m, err := PodMTU(u.underlay, tt.e.Overhead())
			if err != nil || m != u.mtu || MSS(m) != u.mss {
				t.Errorf("%s at %d: pod MTU %d MSS %d (%v), want %d %d", tt.e, u.underlay, m, MSS(m), err, u.mtu, u.mss)
			}
		}
	}
	if _, err := PodMTU(80, 50); err == nil {
		t.Error("PodMTU(80, 50) should fail: 30 bytes is below IPv4's minimum 68")
	}
}

func TestGeneveOptions(t *testing.T) {
	t.Parallel()
	if n, err := GeneveOverhead(8); err != nil || n != 58 {
		t.Errorf("GeneveOverhead(8) = %d, %v; want 58", n, err)
	}
	for _, bad := range []int{-4, 3, 256} {
		if _, err := GeneveOverhead(bad); err == nil {
			t.Errorf("GeneveOverhead(%d) should fail", bad)
		}
	}
}

func TestParseEncap(t *testing.T) {
	t.Parallel()
	for e := EncapNone; e < numEncaps; e++ {
		got, err := ParseEncap(e.String())
		if err != nil || got != e {
			t.Errorf("ParseEncap(%q) = %v, %v", e.String(), got, err)
		}
	}
	if _, err := ParseEncap("vxlan2"); err == nil {
		t.Error("ParseEncap(vxlan2) should fail")
	}
	if !EncapESP.IsEncryption() || EncapVXLAN.IsEncryption() {
		t.Error("IsEncryption wrong")
	}
}
