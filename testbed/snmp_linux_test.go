//go:build linux

package testbed

import (
	"strings"
	"testing"
)

func TestSnmpField(t *testing.T) {
	text := "Ip: Forwarding DefaultTTL\nIp: 1 64\nUdp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors\nUdp: 58 0 0 61 1784 0\nUdpLite: InDatagrams RcvbufErrors\nUdpLite: 0 7\n"
	if v, err := snmpField(text, "Udp", "RcvbufErrors"); err != nil || v != 1784 {
		t.Errorf("Udp RcvbufErrors = %d, %v; want 1784", v, err)
	}
	if v, err := snmpField(text, "UdpLite", "RcvbufErrors"); err != nil || v != 7 {
		t.Errorf("UdpLite RcvbufErrors = %d, %v; want 7", v, err)
	}
	for _, bad := range []string{"", "Udp: RcvbufErrors\n", "Udp: RcvbufErrors\nUdp: x\n", "Tcp: RcvbufErrors\nTcp: 1\n"} {
		if _, err := snmpField(bad, "Udp", "RcvbufErrors"); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestOffloadsOffRejects(t *testing.T) {
	if err := offloadsOff("cnitb-x", "nolro"); err == nil || !strings.Contains(err.Error(), "valid: nogso, nogro") {
		t.Errorf("offloadsOff nolro: %v", err)
	}
}
