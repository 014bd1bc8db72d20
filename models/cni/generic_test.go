package cni

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/internal/golden"
	"github.com/cnisim/cnisim/models/datapath"
)

// stepLine renders a step spec for the golden files.
func stepLine(s StepSpec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", s.Kind, s.Side, s.Context)
	if s.Count != 1 {
		fmt.Fprintf(&b, " x%d", s.Count)
	}
	if s.Policy {
		b.WriteString(" policy")
	}
	if s.Rules {
		b.WriteString(" rules")
	}
	if s.EncryptOnly {
		b.WriteString(" encrypt")
	}
	return b.String()
}

// builtinPaths lists every built-in plugin, mode and placement with its step
// specs (encryption steps included), filtered by keep.
func builtinPaths(t *testing.T, keep func(datapath.Kind) bool) string {
	t.Helper()
	var b strings.Builder
	for _, n := range Names() {
		for _, md := range builtin(t, n).Modes {
			for _, pl := range []struct {
				name  string
				specs []StepSpec
			}{{"intra", md.Intra}, {"inter", md.Inter}} {
				fmt.Fprintf(&b, "%s/%s %s\n", n, md.Name, pl.name)
				for _, s := range pl.specs {
					if keep(s.Kind) {
						fmt.Fprintf(&b, "  %s\n", stepLine(s))
					}
				}
			}
		}
	}
	return b.String()
}

func checkGolden(t *testing.T, path, got string) {
	t.Helper()
	golden.Check(t, path, []byte(got))
}

// The generic kernel stages are added to the graphs without changing the
// paper's stages: with the generic kinds left out, every built-in path is
// exactly the one the paper's figures were reproduced with
// (testdata/paper-steps.golden was written from the graphs before the
// generic stages existed and must not be regenerated for them).
func TestPaperStagesUnchanged(t *testing.T) {
	t.Parallel()
	checkGolden(t, "testdata/paper-steps.golden", builtinPaths(t, func(k datapath.Kind) bool { return k < datapath.Netdev }))
}

// The generic stages follow the rule in the models' header comments, checked
// step by step on every built-in path (encryption on where a mode has it).
func TestGenericStageRule(t *testing.T) {
	t.Parallel()
	for _, v := range allModes(t) {
		m := builtin(t, v.plugin)
		md, _ := m.Mode(v.mode)
		opt := PathOptions{Encrypt: md.Encryption != datapath.EncapNone}
		for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
			p, err := m.Graph(v.mode, pl, opt)
			if err != nil {
				t.Fatal(err)
			}
			checkGenericRule(t, fmt.Sprintf("%s %s", v.label, pl), p)
		}
	}
}

func checkGenericRule(t *testing.T, name string, p datapath.Path) {
	t.Helper()
	st := p.Steps
	kinds := func(i int, ks ...datapath.Kind) bool {
		for j, k := range ks {
			if i+j >= len(st) || st[i+j].Kind != k {
				return false
			}
		}
		return true
	}
	// the sending call and the receiving call
	if !kinds(0, datapath.Syscall, datapath.TCP, datapath.Skb, datapath.SocketCopy) {
		t.Errorf("%s: does not start with syscall, tcp, skb, socket_copy", name)
	}
	n := len(st)
	if n < 3 || !kinds(n-3, datapath.Sched, datapath.Syscall, datapath.SocketCopy) {
		t.Errorf("%s: does not end with sched, syscall, socket_copy", name)
	}
	for i, s := range st {
		if s.Context == datapath.Recv && i < n-3 {
			t.Errorf("%s: step %d (%s) in recv before the reader's call", name, i, s.Kind)
		}
	}
	if n < 4 || st[n-4].Kind != datapath.Skb || st[n-4].Context == datapath.Recv {
		t.Errorf("%s: the skb is not freed in the kernel before the reader runs", name)
	}
	// device-layer order: a transmit (netdev) before every veth and every
	// sending NIC; a queued receive (softirq, netdev) after every veth,
	// receiving NIC and tunnel decapsulation
	lastDev := datapath.Kind(255)
	for i, s := range st {
		rx := s.Kind == datapath.Veth || s.Kind == datapath.NIC && s.Side == datapath.Dst && p.InterHost
		tx := s.Kind == datapath.Veth || s.Kind == datapath.NIC && s.Side == datapath.Src
		if tx && lastDev != datapath.Netdev {
			t.Errorf("%s: step %d (%s %s) not behind a device transmit (netdev)", name, i, s.Kind, s.Side)
		}
		decap := s.Side == datapath.Dst && p.InterHost && (s.Kind == datapath.VXLAN || s.Kind == datapath.Geneve || s.Kind == datapath.IPIP || s.Kind == datapath.GRE)
		if (rx || decap) && !kinds(i+1, datapath.SoftirqEntry, datapath.Netdev) {
			t.Errorf("%s: step %d (%s %s) not followed by a queued receive (softirq, netdev)", name, i, s.Kind, s.Side)
		}
		switch s.Kind {
		case datapath.Netdev, datapath.SoftirqEntry, datapath.Veth, datapath.NIC:
			lastDev = s.Kind
		}
	}
	// one IP receive per IP-stack entry: on the receiving node the pod's
	// and one per host-stack traversal (the host baseline: its one local
	// delivery); on the sending node one per traversal of the inner packet
	// (an encapsulated outer packet is sent, not received)
	c := p.Counts()
	src, dst := c[datapath.Src], c[datapath.Dst]
	if !p.InterHost {
		for k := range src {
			dst[k] += src[k]
			src[k] = 0
		}
	}
	wantDst := dst[datapath.IPForward] + 1
	if st[n-4].Kind == datapath.Skb && !hasPodNetwork(p) {
		wantDst = 1
	}
	if dst[datapath.IPRcv] != wantDst {
		t.Errorf("%s: %g ip_rcv on the receiving node, want %g", name, dst[datapath.IPRcv], wantDst)
	}
	if p.InterHost {
		inner := 0.0
		for _, s := range st {
			if s.Side == datapath.Src && isEncapKind(s.Kind) {
				break
			}
			if s.Side == datapath.Src && s.Kind == datapath.IPForward {
				inner++
			}
		}
		if !hasPodNetwork(p) {
			inner = 0 // the host's own output
		}
		if src[datapath.IPRcv] != inner {
			t.Errorf("%s: %g ip_rcv on the sending node, want %g", name, src[datapath.IPRcv], inner)
		}
	}
	// a neighbour lookup per IP output: never more than the device transmits
	if c[datapath.Src][datapath.Neigh]+c[datapath.Dst][datapath.Neigh] > c[datapath.Src][datapath.Netdev]+c[datapath.Dst][datapath.Netdev] {
		t.Errorf("%s: more neigh than netdev", name)
	}
}

func hasPodNetwork(p datapath.Path) bool {
	for _, s := range p.Steps {
		if s.Kind == datapath.Veth {
			return true
		}
	}
	return false
}

func isEncapKind(k datapath.Kind) bool {
	switch k {
	case datapath.VXLAN, datapath.Geneve, datapath.IPIP, datapath.GRE, datapath.Userspace:
		return true
	}
	return false
}

// The crossings every built-in configuration hands to calibration
// (datapath.Path.NodeCrossings on the receiving node inter-host, the one
// node intra-host): a reviewed golden, so that a change to a graph shows
// up as a change of what calibrate fit and perf divide by.
func TestNodeCrossingsGolden(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	for _, v := range allModes(t) {
		m := builtin(t, v.plugin)
		for _, pl := range []datapath.Placement{datapath.Intra, datapath.Inter} {
			c, err := m.NodeCrossings(v.mode, pl, PathOptions{}, datapath.Dst)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %s\n  data:", v.label, pl)
			for _, k := range datapath.Kinds() {
				if c.Data[k] != 0 {
					fmt.Fprintf(&b, " %s %g", k, c.Data[k])
				}
			}
			b.WriteString("\n  ack: ")
			for _, k := range datapath.Kinds() {
				if c.Ack[k] != 0 {
					fmt.Fprintf(&b, " %s %g", k, c.Ack[k])
				}
			}
			// per send call, read call and wake-up (datapath/calls.go)
			for _, part := range []struct {
				name string
				v    *[datapath.NumKinds]float64
			}{{"write", &c.Write}, {"read", &c.Read}, {"wake", &c.Wake}} {
				fmt.Fprintf(&b, "\n  %s:", part.name)
				for _, k := range datapath.Kinds() {
					if part.v[k] != 0 {
						fmt.Fprintf(&b, " %s %g", k, part.v[k])
					}
				}
			}
			b.WriteString("\n")
		}
	}
	checkGolden(t, "testdata/crossings.golden", b.String())
}
