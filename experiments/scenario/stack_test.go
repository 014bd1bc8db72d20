package scenario

import (
	"testing"

	"github.com/cnisim/cnisim/models/tcp"
)

// TestLinuxBehaviour: tcp.stack = "rfc" passes each key through, "linux"
// turns every behaviour on, keeping a kernel's other tick rate and what a
// key already turned on, and orphans nothing in a fabric emulated in the
// senders' kernel.
func TestLinuxBehaviour(t *testing.T) {
	linux := Behaviour{HZ: 250, AckPolicy: tcp.AckPolicyLinux, RTOFromHead: true, LinuxTSQ: true, LinuxCubic: true, TSQOrphan: true}
	for _, c := range []struct {
		name string
		set  func(*Scenario)
		want Behaviour
	}{
		{"defaults", func(*Scenario) {}, Behaviour{AckPolicy: tcp.AckPolicyEvery}},
		{"rfc with keys", func(s *Scenario) {
			s.TCP.HZ, s.TCP.LinuxCubic, s.Cluster.TSQOrphan = 1000, true, true
		}, Behaviour{HZ: 1000, AckPolicy: tcp.AckPolicyEvery, LinuxCubic: true, TSQOrphan: true}},
		{"linux", func(s *Scenario) { s.TCP.Stack = StackLinux }, linux},
		{"linux over rfc keys", func(s *Scenario) {
			s.TCP.Stack, s.TCP.AckPolicy, s.TCP.LinuxCubic = StackLinux, tcp.AckPolicyEvery, false
		}, linux},
		{"linux at 1000 Hz", func(s *Scenario) { s.TCP.Stack, s.TCP.HZ = StackLinux, 1000 }, func() Behaviour { b := linux; b.HZ = 1000; return b }()},
		{"linux, emulated fabric", func(s *Scenario) { s.TCP.Stack, s.Cluster.TSQThroughFabric = StackLinux, true },
			func() Behaviour { b := linux; b.TSQOrphan = false; return b }()},
		{"linux, emulated fabric, orphan asked for", func(s *Scenario) {
			s.TCP.Stack, s.Cluster.TSQThroughFabric, s.Cluster.TSQOrphan = StackLinux, true, true
		}, linux}, // the network refuses the pair, as without the stack
	} {
		s := Defaults()
		c.set(&s)
		if got := s.Linux(); got != c.want {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}
