package workload

import (
	"math"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/service"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

func nodePortConfig(t *testing.T, proxy service.Proxy, nodes, eps int, policy string) Config {
	t.Helper()
	cfg := baseConfig(NodePort)
	cfg.Cluster.Nodes = nodes
	cfg = withServices(t, cfg, proxy, 10, eps, TargetPod)
	cfg.Services.Plan.Config.ExternalTrafficPolicy = policy
	return cfg
}

// vxlanPath is a Flannel-VXLAN-like pod-to-pod path: the pod's socket,
// veth and the bridge, a route lookup, the VXLAN encapsulation and the
// NIC; on the other node the NIC, the decapsulation, the bridge, veth,
// the socket and the copy.
func vxlanPath() datapath.CostedPath {
	S, D := datapath.Src, datapath.Dst
	st := func(k datapath.Kind, side datapath.Side, ctx datapath.Context, c float64) datapath.CostedStep {
		return datapath.CostedStep{Step: datapath.Step{Kind: k, Side: side, Context: ctx, Count: 1}, Cycles: c, CyclesPerByte: 0.01 * c}
	}
	return datapath.CostedPath{InterHost: true, EncapBytes: 50, Steps: []datapath.CostedStep{
		st(datapath.TCP, S, datapath.Send, 300), st(datapath.Veth, S, datapath.Send, 80),
		st(datapath.Bridge, S, datapath.Softirq, 250), st(datapath.FIB, S, datapath.Softirq, 200),
		st(datapath.VXLAN, S, datapath.Softirq, 900), st(datapath.NIC, S, datapath.Softirq, 150),
		st(datapath.NIC, D, datapath.Softirq, 170), st(datapath.VXLAN, D, datapath.Softirq, 700),
		st(datapath.Bridge, D, datapath.Softirq, 240), st(datapath.Veth, D, datapath.Softirq, 60),
		st(datapath.TCP, D, datapath.Softirq, 330), st(datapath.SocketCopy, D, datapath.Recv, 100),
	}}
}

// TestNodePortHopClosedForm: at jitter 0 on idle cores the SYN of a
// node-port connection to an endpoint on another node reaches it later
// than one to an endpoint on the ingress node by exactly the ingress
// node's forwarding (route lookup, VXLAN encapsulation, NIC), one more
// wire crossing (the encapsulated SYN), and the endpoint node's receive
// from the wire and decapsulation (NIC, VXLAN): the local endpoint gets
// the SYN through the bridge and veth alone. The external client's send
// and the ingress node's receive and translation are the same in both.
func TestNodePortHopClosedForm(t *testing.T) {
	t.Parallel()
	p := vxlanPath()
	cfg := nodePortConfig(t, service.IPTables, 3, 2, service.PolicyCluster)
	cfg.Forward, cfg.Reverse = p, p
	plan := cfg.Services.Plan
	first := plan.NodePortFirstCycles(3, 0, false)
	fwdNAT, revNAT := plan.NodePortPacketCycles(true)
	synAt := func(remote bool) sim.Time {
		e := sim.NewEngine()
		n, err := network.New(e, cfg.Cluster)
		if err != nil {
			t.Fatal(err)
		}
		np := buildNodePortPaths(p, p, datapath.Netfilter, first, fwdNAT, revNAT, remote)
		var pool tcp.Pool
		var c *tcp.Conn
		if remote {
			via := tcp.Relays{Fwd: &network.Via{Node: 1, Path: np.fwdVia}, Rev: &network.Via{Node: 1, Path: np.revVia}}
			c, err = pool.DialVia(n, tcp.Side{Node: 0}, tcp.Side{Node: 2}, np.fwd, np.rev, via, cfg.PodMTU, 1, tcp.Options{})
		} else {
			c, err = pool.Dial(n, tcp.Side{Node: 0}, tcp.Side{Node: 1}, np.fwd, np.rev, cfg.PodMTU, 1, tcp.Options{})
		}
		if err != nil {
			t.Fatal(err)
		}
		c.Connect(0)
		e.RunUntil(sim.Millisecond)
		if c.Client.State() != tcp.Established {
			t.Fatalf("remote %v: not established", remote)
		}
		if err := n.Conservation(); err != nil {
			t.Error(err)
		}
		return c.Server.FirstSyn
	}
	local, remote := synAt(false), synAt(true)
	cyc := func(i int, ip float64) float64 { return p.Steps[i].Cycles + p.Steps[i].CyclesPerByte*ip }
	const syn = 52
	relayOut := cyc(3, syn) + cyc(4, syn) + cyc(5, syn) // fib, vxlan, nic on the ingress node
	endpointIn := cyc(6, syn) + cyc(7, syn)             // nic, vxlan on the endpoint's node
	c := cfg.Cluster
	wirePS := float64(syn+p.EncapBytes+c.FrameOverhead)*8/c.LinkGbps*1e3 + float64(c.LinkDelay)
	want := (relayOut+endpointIn)/c.GHz*1e3 + wirePS
	if got := float64(remote - local); math.Abs(got-want) > 2 { // ps: one rounding per job
		t.Errorf("second hop adds %v to the SYN, want the relay's forwarding, a wire and the endpoint node's receive: %.0f ps", sim.Time(got), want)
	}
}

// TestNodePortSecondHopShare: with externalTrafficPolicy=cluster and
// endpoints spread evenly over the cluster nodes, 1 - 1/nodes of the
// connections take the second hop (binomial, 5 standard errors over
// seeds); with local none does, the nodes other than the ingress carry
// nothing, and the ingress node's conntrack counts every connection.
func TestNodePortSecondHopShare(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: simulates node-port churn over seeds (~1 s)")
	}
	for _, c := range []struct{ nodes, eps int }{{3, 4}, {4, 3}, {5, 8}} {
		cluster := float64(c.nodes - 1)
		want := 1 - 1/cluster
		var share, conns float64
		for seed := uint64(1); seed <= 4; seed++ {
			cfg := nodePortConfig(t, service.NFTables, c.nodes, c.eps, service.PolicyCluster)
			cfg.Seed = seed
			cfg.Workload.Streams = 2
			cfg.Duration, cfg.Warmup = 150*sim.Millisecond, 10*sim.Millisecond
			r := run(t, cfg)
			k := r.ConnectionsPerS * (cfg.Duration - cfg.Warmup).Seconds()
			share += r.NodePortSecondHop * k
			conns += k
			for i, u := range r.CPUCoresUsedByNode {
				if u <= 0 {
					t.Errorf("nodes %d: node %d idle", c.nodes, i)
				}
			}
		}
		got := share / conns
		if se := math.Sqrt(want * (1 - want) / conns); math.Abs(got-want) > 5*se+0.01 {
			t.Errorf("nodes %d endpoints %d: second-hop share %.4f over %.0f connections, want 1 - 1/%v = %.4f", c.nodes, c.eps, got, conns, cluster, want)
		}
	}
	r := run(t, nodePortConfig(t, service.IPTables, 4, 6, service.PolicyLocal))
	if r.NodePortSecondHop != 0 || r.ConnectionsPerS < 1000 {
		t.Errorf("local: second hop %v, %v conn/s", r.NodePortSecondHop, r.ConnectionsPerS)
	}
	if u := r.CPUCoresUsedByNode; u[2] != 0 || u[3] != 0 || u[0] <= 0 || u[1] <= 0 {
		t.Errorf("local: CPU by node %v, want the client's and the ingress node's only", u)
	}
	if r.ConntrackEntries < int(r.ConnectionsPerS*0.25*0.9) {
		t.Errorf("local: conntrack entries %d at %v conn/s: every closed connection stays in TIME_WAIT", r.ConntrackEntries, r.ConnectionsPerS)
	}
}

// TestNodePortRefused: a nodeport workload without Services, with one
// node, or Local with no endpoint on the ingress node, is refused with the
// key named.
func TestNodePortRefused(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(NodePort)
	if _, err := Run(cfg); err == nil {
		t.Error("nodeport without Services accepted")
	}
	cfg = nodePortConfig(t, service.IPTables, 3, 1, service.PolicyLocal)
	cfg.Services.Plan.Config.Endpoints = 0
	if _, err := Run(cfg); err == nil {
		t.Error("local with no endpoint on the ingress node accepted")
	}
}

// TestNodePortRR: kept-alive node-port connections (netperf TCP_RR to the
// node port): one connection per stream, its set-up walked once, every
// transaction crossing the same hops; at jitter 0 on one core per node a
// local connection's transaction is cheaper than a remote one's by the
// second hop both ways, so the latency spreads over the two kinds while a
// single stream's is constant; the conntrack table holds the streams.
func TestNodePortRR(t *testing.T) {
	t.Parallel()
	cfg := nodePortConfig(t, service.NFTables, 3, 4, service.PolicyCluster)
	cfg.Workload.NodePortStyle = StyleRR
	cfg.Workload.Streams = 8
	r := run(t, cfg)
	if r.TransactionsPerS < 1000 || r.ConntrackEntries != 8 || r.FirstPacket == nil || r.FirstPacket.N() != 8 {
		t.Fatalf("rr: %v transactions/s, %d entries, first packets %v", r.TransactionsPerS, r.ConntrackEntries, r.FirstPacket)
	}
	if r.NodePortSecondHop <= 0 || r.NodePortSecondHop >= 1 {
		t.Errorf("8 connections, second-hop share %v: want some of each", r.NodePortSecondHop)
	}
	one := cfg
	one.Workload.Streams = 1
	one.Cluster.CoresPerNode = 1
	if r := run(t, one); r.LatencyP50us != r.LatencyP99us || r.LatencyP50us <= 0 {
		t.Errorf("one stream: latency p50 %v p99 %v, want constant", r.LatencyP50us, r.LatencyP99us)
	}
	bad := cfg
	bad.Workload.NodePortStyle = "stream"
	if _, err := Run(bad); err == nil {
		t.Error("nodeport style stream accepted")
	}
	bad = baseConfig(TCPRR)
	bad.Workload.NodePortStyle = StyleRR
	if _, err := Run(bad); err == nil {
		t.Error("nodeport style on tcp_rr accepted")
	}
}

// TestNodePortPathsDerivation: what each node does on a node-port
// connection, derived from a Flannel-VXLAN-like pod-to-pod path by
// position (the table is the model's claim; see buildNodePortPaths): the
// client sends with its own stack and NIC, the ingress node receives and
// translates, then delivers locally through the bridge and veth or
// forwards over the VXLAN path; replies mirror it. Forwarded steps run in
// softirq, never in a sender's context.
func TestNodePortPathsDerivation(t *testing.T) {
	t.Parallel()
	p := vxlanPath()
	names := func(path datapath.CostedPath) string {
		var s []string
		side := datapath.Src
		for _, st := range path.Steps {
			if st.Side != side {
				s = append(s, "|")
				side = st.Side
			}
			s = append(s, st.Kind.String())
		}
		return strings.Join(s, " ")
	}
	local := buildNodePortPaths(p, p, datapath.Netfilter, 1, 2, 3, false)
	remote := buildNodePortPaths(p, p, datapath.Netfilter, 1, 2, 3, true)
	for _, c := range []struct {
		name string
		path datapath.CostedPath
		want string
	}{
		{"local forward", local.fwd, "tcp nic | nic netfilter bridge veth tcp socket_copy"},
		{"local reply", local.rev, "tcp veth bridge fib nic netfilter | nic tcp socket_copy"},
		{"remote forward, to the ingress", remote.fwd, "tcp nic | nic netfilter"},
		{"remote forward, second hop", remote.fwdVia, "fib vxlan nic | nic vxlan bridge veth tcp socket_copy"},
		{"remote reply, to the ingress", remote.rev, "tcp veth bridge fib vxlan nic | nic vxlan netfilter"},
		{"remote reply, to the client", remote.revVia, "nic | nic tcp socket_copy"},
	} {
		if got := names(c.path); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
	for _, st := range append(remote.fwdVia.Steps, remote.revVia.Steps...) {
		if st.Side == datapath.Src && st.Context == datapath.Send {
			t.Errorf("forwarded step %v in the send context", st.Kind)
		}
	}
	if remote.fwdVia.EncapBytes != 50 || remote.rev.EncapBytes != 50 || remote.fwd.EncapBytes != 0 || remote.revVia.EncapBytes != 0 || local.fwd.EncapBytes != 0 {
		t.Error("encapsulation on the wrong legs: only the hop between the cluster nodes is VXLAN")
	}
	var rules float64
	for _, st := range remote.fwd.Steps {
		rules += st.RuleCycles
	}
	if rules != 1 {
		t.Errorf("the node-port walk charged %v times on the forward path, want once", rules)
	}
}
