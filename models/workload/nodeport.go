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

// pick returns path's steps on side that keep says to keep, as side to
// (forward: the send context becomes softirq, where a forwarded packet
// runs; the daemon context stays).
func pick(p datapath.CostedPath, side, to datapath.Side, forward bool, keep func(datapath.CostedStep) bool) []datapath.CostedStep {
	var out []datapath.CostedStep
	for _, s := range p.Steps {
		if s.Side != side || !keep(s) {
			continue
		}
		s.Side = to
		if forward && s.Context == datapath.Send {
			s.Context = datapath.Softirq
		}
		out = append(out, s)
	}
	return out
}

// nodePortPaths are one kind of node-port connection's paths: the
// forward and reverse first legs and, for a second hop, the second legs.
type nodePortPaths struct {
	fwd, rev       datapath.CostedPath
	fwdVia, revVia datapath.CostedPath // second hops (remote endpoint only)
}

// buildNodePortPaths derives a node-port connection's paths from the
// CNI's pod-to-pod paths (fwd, rev) and the ingress node's costs: first,
// the opening packet's walk and entry; fwdNAT and revNAT, the per-packet
// translation each way. The external client is a plain host: the CNI's
// send and receive steps without the pod's attachment, overlay, policy
// and forwarding kinds. The ingress node receives from the wire
// (hostRecv kinds) and translates; a local endpoint then gets the CNI's
// delivery into the pod (its receive steps without hostRecv and overlay
// kinds), a remote one the CNI's inter-node path from the ingress node's
// forwarding (the CNI's send steps without the pod's) to the endpoint's
// pod. Replies mirror it: the endpoint's pod sends over the CNI path (to
// the ingress node: its receive steps without the pod's, then the
// un-NAT) or, local, straight out without overlay; the ingress node
// forwards them to the client (fib, ip_forward and the device kinds of the
// CNI's send steps).
func buildNodePortPaths(fwd, rev datapath.CostedPath, kind datapath.Kind, first, fwdNAT, revNAT float64, remote bool) nodePortPaths {
	src, dst := datapath.Src, datapath.Dst
	host := func(s datapath.CostedStep) bool {
		switch s.Kind {
		case datapath.Veth, datapath.Bridge, datapath.Netfilter, datapath.EBPF, datapath.IPForward:
			return false
		}
		return !overlay(s.Kind)
	}
	recvIn := func(s datapath.CostedStep) bool { return hostRecv(s.Kind) }
	deliver := func(s datapath.CostedStep) bool { return !hostRecv(s.Kind) && !overlay(s.Kind) }
	forwardOut := func(s datapath.CostedStep) bool { return !podSide(s.Kind) }
	routeOut := func(s datapath.CostedStep) bool {
		switch s.Kind {
		case datapath.FIB, datapath.IPForward, datapath.NIC, datapath.Netdev, datapath.Neigh, datapath.Skb:
			return true
		}
		return false
	}
	notPod := func(s datapath.CostedStep) bool { return !podSide(s.Kind) && s.Context != datapath.Recv }
	nat := func(side datapath.Side, cycles, rules float64) datapath.CostedStep {
		return datapath.CostedStep{Step: datapath.Step{Kind: kind, Side: side, Context: datapath.Softirq, Count: 1}, Cycles: cycles, RuleCycles: rules}
	}
	cat := func(parts ...[]datapath.CostedStep) []datapath.CostedStep {
		var out []datapath.CostedStep
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	under := func(steps []datapath.CostedStep) datapath.CostedPath {
		return datapath.CostedPath{InterHost: true, Steps: steps}
	}
	cni := func(steps []datapath.CostedStep, like datapath.CostedPath) datapath.CostedPath {
		return datapath.CostedPath{InterHost: true, Steps: steps, EncapBytes: like.EncapBytes, OuterDF: like.OuterDF}
	}
	clientSend := pick(fwd, src, src, false, host)
	ingressIn := cat(pick(fwd, dst, dst, false, recvIn), []datapath.CostedStep{nat(dst, fwdNAT, first)})
	clientRecv := pick(rev, dst, dst, false, host)
	var p nodePortPaths
	if !remote {
		p.fwd = under(cat(clientSend, ingressIn, pick(fwd, dst, dst, false, deliver)))
		p.rev = under(cat(pick(rev, src, src, false, func(s datapath.CostedStep) bool { return !overlay(s.Kind) }),
			[]datapath.CostedStep{nat(src, revNAT, 0)}, clientRecv))
		return p
	}
	p.fwd = under(cat(clientSend, ingressIn))
	p.fwdVia = cni(cat(pick(fwd, src, src, true, forwardOut), pick(fwd, dst, dst, false, func(datapath.CostedStep) bool { return true })), fwd)
	p.rev = cni(cat(pick(rev, src, src, false, func(datapath.CostedStep) bool { return true }),
		pick(rev, dst, dst, false, notPod), []datapath.CostedStep{nat(dst, revNAT, 0)}), rev)
	p.revVia = under(cat(pick(rev, src, src, true, routeOut), clientRecv))
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
