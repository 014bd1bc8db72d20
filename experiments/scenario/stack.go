package scenario

import "github.com/cnisim/cnisim/models/tcp"

// The values of tcp.stack.
const (
	// StackRFC leaves each behaviour to its own key, all off by default:
	// RFC 9438's CUBIC, tcp.ack_every as stated, timers at exact times,
	// the RTO armed from now, tcp_limit_output_bytes alone, sockets
	// counting their bytes to the NIC. Every figure of the README and the
	// report was measured so unless it says otherwise.
	StackRFC = "rfc"
	// StackLinux turns on every behaviour of Linux's that the model has
	// as a key of its own, each checked against a 6.18 kernel (README
	// "Linux's behaviour"): what to run when comparing with a real host.
	StackLinux = "linux"
)

// LinuxHZ is the tick tcp.stack = "linux" gives when tcp.hz is 0:
// CONFIG_HZ=250, Debian's and Ubuntu's kernels' and this project's VM's
// (`grep CONFIG_HZ= /boot/config-$(uname -r)`, 2026-12-06).
const LinuxHZ = 250

// Behaviour is how a scenario's TCP and its nodes' IP stacks behave where
// the model offers Linux's way beside the textbook's: the keys themselves,
// or with tcp.stack = "linux" Linux's way for all of them.
type Behaviour struct {
	HZ          int    // tcp.hz
	AckPolicy   string // tcp.ack_policy
	RTOFromHead bool   // tcp.rto_from_head
	LinuxTSQ    bool   // tcp.linux_tsq
	LinuxCubic  bool   // tcp.linux_cubic
	TSQOrphan   bool   // cluster.tsq_orphan
}

// Linux returns the scenario's Behaviour: its keys, and with tcp.stack =
// "linux" each on as Linux has it. A key set to Linux's way stays so
// either way, and a tick rate other than 0 is kept (a kernel built with
// CONFIG_HZ=1000, say). A fabric emulated in the senders' own kernel
// (cluster.tsq_through_fabric) keeps the skbs' owner to delivery, so
// the node's IP stack orphans nothing there.
func (s *Scenario) Linux() Behaviour {
	t := s.TCP
	b := Behaviour{
		HZ: t.HZ, AckPolicy: t.AckPolicy, RTOFromHead: t.RTOFromHead,
		LinuxTSQ: t.LinuxTSQ, LinuxCubic: t.LinuxCubic, TSQOrphan: s.Cluster.TSQOrphan,
	}
	if t.Stack != StackLinux {
		return b
	}
	if b.HZ == 0 {
		b.HZ = LinuxHZ
	}
	b.AckPolicy = tcp.AckPolicyLinux
	b.RTOFromHead, b.LinuxTSQ, b.LinuxCubic = true, true, true
	b.TSQOrphan = b.TSQOrphan || !s.Cluster.TSQThroughFabric
	return b
}
