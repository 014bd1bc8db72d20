package workload

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/internal/field"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/service"
	"github.com/cnisim/cnisim/models/tcp"
)

// NodePort is traffic from outside the cluster to a Service's node port:
// netperf TCP_CRR transactions (tcp_crr.go) from a client on node 0, a
// host outside the cluster, to node 1's address. Nodes 1 .. nodes-1 are
// the cluster; each Service's endpoints are spread over them round-robin
// (service.EndpointNode). Node 1, the ingress node, walks its proxy's
// node-port rules, DNATs to the endpoint picked and, with
// externalTrafficPolicy=cluster, masquerades; an endpoint on another node
// is reached by a second hop over the CNI's inter-node path (a relayed
// route, network.Via), and its replies come back the same way, un-NATed
// on the ingress node. With externalTrafficPolicy=local the ingress node
// picks among its own endpoints: one hop, no SNAT. The conntrack table is
// the ingress node's.
const NodePort = "nodeport"

// Node-port transaction styles (Workload.NodePortStyle).
const (
	StyleCRR = "crr" // netperf TCP_CRR: a new connection per transaction (the default)
	StyleRR  = "rr"  // netperf TCP_RR: one kept-alive connection per stream
)

// NodePortStyles are the allowed values of Workload.NodePortStyle.
var NodePortStyles = []string{StyleCRR, StyleRR}

// nodePortRR reports a nodeport workload of kept-alive connections.
func (c *Config) nodePortRR() bool {
	return c.Workload.Kind == NodePort && c.Workload.NodePortStyle == StyleRR
}

// The stage kinds a packet the node forwards does not cross: the pod's
// transport and application (its socket, calls and wake-ups) and the
// pod's attachment to the host (veth, bridge).
func podSide(k datapath.Kind) bool {
	switch k {
	case datapath.TCP, datapath.SocketCopy, datapath.Syscall, datapath.Sched, datapath.Veth, datapath.Bridge:
		return true
	}
	return false
}

// overlay kinds: only packets between two nodes' pods cross them (the
// underlay traffic to and from the external client does not).
func overlay(k datapath.Kind) bool {
	switch k {
	case datapath.VXLAN, datapath.Geneve, datapath.IPIP, datapath.GRE, datapath.OVS, datapath.Userspace, datapath.Encrypt:
		return true
	}
	return false
}

// hostRecv kinds: a node's receive from the wire before any decapsulation,
// policy or delivery to a pod.
func hostRecv(k datapath.Kind) bool {
	switch k {
	case datapath.NIC, datapath.Netdev, datapath.IPRcv, datapath.Skb, datapath.SoftirqEntry:
		return true
	}
	return false
}

// steps returns path's steps on side.
func steps(p datapath.CostedPath, side datapath.Side) []datapath.CostedStep {
	var out []datapath.CostedStep
	for _, s := range p.Steps {
		if s.Side == side {
			out = append(out, s)
		}
	}
	return out
}

// until is the steps before the first one whose kind stop says.
func until(st []datapath.CostedStep, stop func(datapath.Kind) bool) []datapath.CostedStep {
	for i, s := range st {
		if stop(s.Kind) {
			return st[:i]
		}
	}
	return st
}

// from is the steps from the first one whose kind start says (none if none).
func from(st []datapath.CostedStep, start func(datapath.Kind) bool) []datapath.CostedStep {
	for i, s := range st {
		if start(s.Kind) {
			return st[i:]
		}
	}
	return nil
}

// afterLast is the steps after the last one whose kind is says (all if none).
func afterLast(st []datapath.CostedStep, is func(datapath.Kind) bool) []datapath.CostedStep {
	for i := len(st) - 1; i >= 0; i-- {
		if is(st[i].Kind) {
			return st[i+1:]
		}
	}
	return st
}

// leading is the first run of steps whose kind is says; trailing the last.
func leading(st []datapath.CostedStep, is func(datapath.Kind) bool) []datapath.CostedStep {
	return until(st, func(k datapath.Kind) bool { return !is(k) })
}

func trailing(st []datapath.CostedStep, is func(datapath.Kind) bool) []datapath.CostedStep {
	i := len(st)
	for i > 0 && is(st[i-1].Kind) {
		i--
	}
	return st[i:]
}

// only is the steps whose kind keep says.
func only(st []datapath.CostedStep, keep func(datapath.Kind) bool) []datapath.CostedStep {
	var out []datapath.CostedStep
	for _, s := range st {
		if keep(s.Kind) {
			out = append(out, s)
		}
	}
	return out
}

// as returns st on side; forwarded: in softirq (a forwarded packet's work
// runs there, not in a sender's context; the daemon context stays).
func as(st []datapath.CostedStep, side datapath.Side, forwarded bool) []datapath.CostedStep {
	out := make([]datapath.CostedStep, len(st))
	for i, s := range st {
		s.Side = side
		if forwarded && s.Context == datapath.Send {
			s.Context = datapath.Softirq
		}
		out[i] = s
	}
	return out
}

// Kinds by role on a CNI path: beyond the pod's own stack (the routing,
// policy and NAT hooks, the overlay, the pod's attachment), the pod's
// attachment, the device work a sent packet ends with.
func beyondPod(k datapath.Kind) bool {
	switch k {
	case datapath.FIB, datapath.IPForward, datapath.Netfilter, datapath.EBPF, datapath.Veth, datapath.Bridge:
		return true
	}
	return overlay(k)
}

func attach(k datapath.Kind) bool { return k == datapath.Veth || k == datapath.Bridge }

func routing(k datapath.Kind) bool { return beyondPod(k) && !attach(k) }

func device(k datapath.Kind) bool {
	switch k {
	case datapath.NIC, datapath.Netdev, datapath.Neigh, datapath.Skb:
		return true
	}
	return false
}

func isNIC(k datapath.Kind) bool { return k == datapath.NIC }

// nodePortPaths are one kind of node-port connection's paths: the
// forward and reverse first legs and, for a second hop, the second legs.
type nodePortPaths struct {
	fwd, rev       datapath.CostedPath
	fwdVia, revVia datapath.CostedPath // second hops (remote endpoint only)
}

// buildNodePortPaths derives a node-port connection's paths from the
// CNI's pod-to-pod paths (fwd, rev: their steps in order) and the ingress
// node's costs: first, the opening packet's walk and entry; fwdNAT and
// revNAT, the per-packet translation each way (one step of kind on the
// ingress node). Positions on the CNI path say what each node does:
//   - the external client, a plain host: the pod's own stack (the send
//     steps before any routing, policy, overlay or attachment step) and
//     the NIC; on receive the NIC's leading receive steps and the pod's
//     own stack (the steps after its attachment, less the receive steps
//     already counted);
//   - the ingress node: the leading receive steps and the translation;
//     for a local endpoint then the inner packet's delivery (the receive
//     steps after the decapsulation, less their leading receive steps);
//     for a remote one the CNI's send steps from the first routing step
//     on (route lookup, forwarding, policy, encapsulation, the NIC), in
//     softirq, to the endpoint node's normal receive;
//   - replies: a local pod's send steps up to the overlay and the NIC,
//     the un-NAT, the client's receive; a remote pod's full send path to
//     the ingress node, its receive steps there up to the pod's
//     attachment (receive, decapsulation, routing), the un-NAT, then the
//     device steps the CNI's send path ends with, to the client.
func buildNodePortPaths(fwd, rev datapath.CostedPath, kind datapath.Kind, first, fwdNAT, revNAT float64, remote bool) nodePortPaths {
	src, dst := datapath.Src, datapath.Dst
	nat := func(side datapath.Side, cycles, rules float64) []datapath.CostedStep {
		return []datapath.CostedStep{{Step: datapath.Step{Kind: kind, Side: side, Context: datapath.Softirq, Count: 1}, Cycles: cycles, RuleCycles: rules}}
	}
	cat := func(parts ...[]datapath.CostedStep) []datapath.CostedStep {
		var out []datapath.CostedStep
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	under := func(st []datapath.CostedStep) datapath.CostedPath {
		return datapath.CostedPath{InterHost: true, Steps: st}
	}
	cni := func(st []datapath.CostedStep, like datapath.CostedPath) datapath.CostedPath {
		return datapath.CostedPath{InterHost: true, Steps: st, EncapBytes: like.EncapBytes, OuterDF: like.OuterDF, Encap: like.Encap, Encryption: like.Encryption}
	}
	notRecv := func(k datapath.Kind) bool { return !hostRecv(k) }
	fs, fd, rs, rd := steps(fwd, src), steps(fwd, dst), steps(rev, src), steps(rev, dst)

	clientSend := cat(until(fs, beyondPod), only(trailing(fs, device), isNIC))
	ownRecv := afterLast(rd, attach)
	if len(ownRecv) == len(rd) { // no attachment: after the leading receive steps
		ownRecv = rd[len(leading(rd, hostRecv)):]
	}
	clientRecv := cat(leading(rd, hostRecv), only(ownRecv, notRecv))
	ingressIn := cat(leading(fd, hostRecv), nat(dst, fwdNAT, first))

	var p nodePortPaths
	if !remote {
		inner := afterLast(fd, overlay)
		if len(inner) == len(fd) {
			inner = fd[len(leading(fd, hostRecv)):]
		}
		deliver := inner[len(leading(inner, hostRecv)):]
		reply := rs
		if len(until(rs, overlay)) < len(rs) {
			reply = cat(until(rs, overlay), only(trailing(rs, device), isNIC))
		}
		p.fwd = under(cat(as(clientSend, src, false), as(ingressIn, dst, false), as(deliver, dst, false)))
		p.rev = under(cat(as(reply, src, false), nat(src, revNAT, 0), as(clientRecv, dst, false)))
		return p
	}
	p.fwd = under(cat(as(clientSend, src, false), as(ingressIn, dst, false)))
	p.fwdVia = cni(cat(as(from(fs, routing), src, true), fd), fwd)
	p.rev = cni(cat(rs, until(rd, func(k datapath.Kind) bool { return attach(k) || podSide(k) }), nat(dst, revNAT, 0)), rev)
	p.revVia = under(cat(as(trailing(rs, device), src, true), as(clientRecv, dst, false)))
	return p
}

// nodePortMetrics are the node-port connections' own counts.
type nodePortMetrics struct {
	conns, remote uint64 // connections dialled, those with a second hop
	paths         map[nodePortKey]*nodePortPaths
	kind          datapath.Kind
}

type nodePortKey struct {
	first  float64
	remote bool
}

// dialNodePort opens stream i's next node-port connection: a Service
// port and endpoint as the proxy picks them, the paths for its hop count.
func (m *meter) dialNodePort(rng *rand.Rand, i int) (*tcp.Conn, error) {
	s := m.cfg.Services
	p := s.Plan
	nodes := m.cfg.Cluster.Nodes - 1 // node 0 is the external client
	var first float64
	var epNode int
	var remote bool
	if p.Local() {
		pos, j, n, ok := p.PickNodePortLocal(rng, 0, nodes)
		if !ok {
			return nil, fmt.Errorf("nodeport: the ingress node has no local endpoint")
		}
		first = p.NodePortLocalFirstCycles(pos, j, n)
	} else {
		var pos, ep int
		pos, ep, remote = p.PickNodePort(rng, 0, nodes)
		first = p.NodePortFirstCycles(pos, ep, remote)
		epNode = service.EndpointNode(ep, nodes)
	}
	np := &m.np
	np.kind = natKind(p)
	np.conns++
	if remote {
		np.remote++
	}
	key := nodePortKey{first, remote}
	paths := np.paths[key]
	if paths == nil {
		fwdNAT, revNAT := p.NodePortPacketCycles(remote)
		built := buildNodePortPaths(m.cfg.Forward, m.cfg.Reverse, np.kind, first, fwdNAT, revNAT, remote)
		paths = &built
		if np.paths == nil {
			np.paths = make(map[nodePortKey]*nodePortPaths)
		}
		if len(np.paths) < maxServicePaths {
			np.paths[key] = paths
		}
	}
	cores := m.cfg.Cluster.CoresPerNode
	cs := tcp.Side{Node: 0, Core: i % cores}
	ss := tcp.Side{Node: 1 + epNode, Core: i % cores}
	if !remote {
		return m.svc.pool.Dial(m.n, cs, ss, paths.fwd, paths.rev, m.cfg.PodMTU, flowKey(rng), m.cfg.TCP)
	}
	via := tcp.Relays{Fwd: &network.Via{Node: 1, Path: paths.fwdVia}, Rev: &network.Via{Node: 1, Path: paths.revVia}}
	return m.svc.pool.DialVia(m.n, cs, ss, paths.fwd, paths.rev, via, m.cfg.PodMTU, flowKey(rng), m.cfg.TCP)
}

// nodePortResult reports the second-hop share.
func (m *meter) nodePortResult(r *Result) {
	if m.np.conns > 0 {
		r.NodePortSecondHop = float64(m.np.remote) / float64(m.np.conns)
	}
	r.Applies = append(r.Applies, "nodeport_second_hop")
}

// natKind is the stage the ingress node's node-port work is accounted to.
func natKind(p *service.Plan) datapath.Kind {
	switch p.Structure.Proxy {
	case service.EBPFTC, service.EBPFSocket:
		return datapath.EBPF
	}
	return datapath.Netfilter
}

// validateNodePort checks a nodeport workload's set-up.
func (c *Config) validateNodePort() error {
	if c.Workload.Kind != NodePort {
		if c.Workload.NodePortStyle != "" && c.Workload.NodePortStyle != StyleCRR {
			return field.Errorf("workload.Workload.NodePortStyle", c.Workload.NodePortStyle, "applies to workload kind nodeport only")
		}
		return nil
	}
	if !slices.Contains(NodePortStyles, c.Workload.NodePortStyle) {
		return field.Errorf("workload.Workload.NodePortStyle", c.Workload.NodePortStyle, "allowed %s", strings.Join(NodePortStyles, ", "))
	}
	if c.Services == nil || c.Services.Plan == nil || c.Services.Plan.Config.Count < 1 {
		return field.Errorf("workload.Workload.Kind", c.Workload.Kind, "needs Services (a [service] table with count >= 1)")
	}
	if c.Cluster.Nodes < 2 || c.Placement != datapath.Inter {
		return field.Errorf("workload.Workload.Kind", c.Workload.Kind, "needs placement inter and at least 2 nodes: node 0 is the external client, node 1 the node port's (the cluster has %d)", c.Cluster.Nodes)
	}
	p := c.Services.Plan
	if p.Local() && service.LocalEndpoints(p.Config.Endpoints, 0, c.Cluster.Nodes-1) == 0 {
		return field.Errorf("workload.Services.ExternalTrafficPolicy", p.Config.ExternalTrafficPolicy, "the ingress node has no endpoint")
	}
	return nil
}
