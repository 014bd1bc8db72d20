package workload

import (
	"math"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/service"
	"github.com/cnisim/cnisim/sim"
)

// rules prices iptables and nftables rules at 15 cycles and chains at 0
// (the order of the measured per-rule cost, calibration/perf fixtures).
type rules struct{}

func (rules) RuleCycles(engine, plugin, mode string, _ int) (float64, float64, error) {
	return 0, 15, nil
}

func withServices(t *testing.T, cfg Config, proxy service.Proxy, count, eps int, target string) Config {
	t.Helper()
	p, err := service.NewPlan(service.Config{Count: count, Endpoints: eps, Proxy: proxy}.Defaults("flannel", ""), rules{}, "flannel", "vxlan")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Services = &Services{Plan: p, Target: target}
	return cfg
}

// TestCRRServiceCost: at jitter 0 on one core per node every transaction
// takes the same time, and a Service adds exactly its costs on the
// critical path: socket LB its connect()-time lookups once (first packet
// and transaction alike, nothing per packet); iptables with Services
// picked uniformly its mean walk, (N+1)/2 - 1 rules more at N Services
// than at 1.
func TestCRRServiceCost(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: simulates connection churn through Services (~1 s)")
	}
	cfg := baseConfig(TCPCRR)
	cfg.Cluster.CoresPerNode = 1
	ghz := cfg.Cluster.GHz
	base := run(t, cfg)
	if base.LatencyP50us != base.LatencyP99us || base.ConnectionsPerS < 1000 {
		t.Fatalf("no-service CRR: p50 %v p99 %v, %v conn/s", base.LatencyP50us, base.LatencyP99us, base.ConnectionsPerS)
	}
	sock := run(t, withServices(t, cfg, service.EBPFSocket, 100, 4, TargetService))
	// the SYN's extra cost is hidden up to the slack: the server is still
	// busy with the previous connection's teardown when the SYN arrives
	lookups := 4 * service.LookupCosts["ebpf"].Cycles
	d := (lookups - math.Min(lookups, synSlack(cfg))) / ghz * 1e-3 // µs
	if d <= 0 {
		t.Fatalf("socket LB lookups %v cycles within the slack %v: the test checks nothing", lookups, synSlack(cfg))
	}
	if got := sock.LatencyP50us - base.LatencyP50us; math.Abs(got-d) > 1e-3 {
		t.Errorf("socket LB adds %.4f µs per transaction, want its lookups %.4f", got, d)
	}
	if got := sock.FirstPacketP99us - base.FirstPacketP99us; math.Abs(got-d) > 1e-3 {
		t.Errorf("socket LB adds %.4f µs to the first packet, want %.4f", got, d)
	}
	if sock.ConntrackEntries < int(sock.ConnectionsPerS*0.25*0.9) {
		t.Errorf("conntrack entries %d: every closed connection stays in TIME_WAIT", sock.ConntrackEntries)
	}
	// the iptables walks (1575 cycles and more with the conntrack entry)
	// all exceed the slack: the difference is the walks'
	one := run(t, withServices(t, cfg, service.IPTables, 1, 1, TargetService))
	many := run(t, withServices(t, cfg, service.IPTables, 2001, 1, TargetService))
	want := 1000 * 15 / ghz * 1e-3 // (2001+1)/2 - 1 = 1000 rules more on average
	if got := many.Latency.Mean()*1e6 - one.Latency.Mean()*1e6; math.Abs(got-want)/want > 0.03 {
		t.Errorf("iptables at 2001 Services adds %.3f µs over 1, want %.3f (mean walk)", got, want)
	}
	if many.FirstPacketP99us <= many.FirstPacketP50us {
		t.Errorf("iptables first packet p50 %v p99 %v: the position in KUBE-SERVICES must spread it", many.FirstPacketP50us, many.FirstPacketP99us)
	}
	nft1 := run(t, withServices(t, cfg, service.NFTables, 1, 4, TargetService))
	nftN := run(t, withServices(t, cfg, service.NFTables, 30000, 4, TargetService))
	if nft1.LatencyP50us != nftN.LatencyP50us {
		t.Errorf("nftables CRR latency %v at 1 Service, %v at 30000: want flat", nft1.LatencyP50us, nftN.LatencyP50us)
	}
}

// TestConntrackFullDropsNewConnections: with a table smaller than the
// connections a CRR loop opens within TIME_WAIT, the excess is dropped
// and retried on the SYN schedule (1 s later): the table stays at its
// size and the drops are counted.
func TestConntrackFullDropsNewConnections(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: simulates a full conntrack table (~1 s)")
	}
	cfg := baseConfig(TCPCRR)
	cfg = withServices(t, cfg, service.NFTables, 10, 1, TargetService)
	cfg.Services.Plan.Config.ConntrackMax = 500
	cfg.Workload.Streams = 4
	r := run(t, cfg)
	if r.ConntrackEntries != 500 || r.ConntrackPeak != 500 {
		t.Errorf("entries %d peak %d, want the table full at 500", r.ConntrackEntries, r.ConntrackPeak)
	}
	// 500 connections were opened, then each of the 4 loops had its SYN
	// dropped once and waits 1 s (beyond the run): exactly 4 drops.
	if r.ConntrackDrops != 4 || r.Drops < 4 {
		t.Errorf("conntrack drops %d (drops %d), want 4", r.ConntrackDrops, r.Drops)
	}
	// a short TIME_WAIT recycles entries: no drops
	cfg.Services.Plan.Config.TimeWait = 0
	// each loop's entries: its open connection, and the one before while
	// its FIN exchange ends
	if r := run(t, cfg); r.ConntrackDrops != 0 || r.ConntrackEntries < 4 || r.ConntrackEntries > 8 {
		t.Errorf("without TIME_WAIT: drops %d entries %d, want 0 and the 4 open connections and at most 4 closing (closed ones leave the table)", r.ConntrackDrops, r.ConntrackEntries)
	}
	_ = sim.Second
}

// TestStreamServiceTarget: long-lived connections hold one entry each and
// pay the Service once (connections_per_s counts them in the window only
// if established there).
func TestStreamServiceTarget(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(TCPRR)
	cfg.Workload.Streams = 3
	cfg.Warmup = 0
	cfg = withServices(t, cfg, service.IPTables, 100, 4, TargetService)
	r := run(t, cfg)
	if r.ConntrackEntries != 3 || r.ConntrackDrops != 0 || r.FirstPacket == nil || r.FirstPacket.N() != 3 {
		t.Errorf("entries %d drops %d first packets %v", r.ConntrackEntries, r.ConntrackDrops, r.FirstPacket)
	}
	bad := cfg
	bad.Workload.Kind = UDPRR
	if _, err := Run(bad); err == nil {
		t.Error("udp_rr with target service accepted")
	}
}

// sideCycles are a path's cycles for an ip-byte packet on one side,
// outside the Recv context (a send job on src, a softirq job on dst).
func sideCycles(p datapath.CostedPath, side datapath.Side, ip int) float64 {
	var c float64
	for _, s := range p.Steps {
		if s.Side == side && s.Context != datapath.Recv {
			c += float64(s.Count) * (s.Cycles + s.CyclesPerByte*float64(ip))
		}
	}
	return c
}

// synSlack is how long (cycles) the server is still busy with the
// previous connection's teardown when a TCP_CRR loop's next SYN would
// arrive (one core per node): the client's close() sends its FIN+ACK and
// connect() the SYN right behind it, and the server processes the
// FIN+ACK and sends the final ACK before it takes the SYN.
func synSlack(cfg Config) float64 {
	return sideCycles(cfg.Forward, datapath.Dst, 52) + sideCycles(cfg.Reverse, datapath.Src, 52) - sideCycles(cfg.Forward, datapath.Src, 52)
}

// TestCRRLatencyClosedForm: at jitter 0 with one core per node (so every
// job queues behind the one before it) a netperf TCP_CRR transaction,
// from connect() to the return of the client's close(), takes:
//   - the one-way times of the SYN and SYN-ACK (no copy to user space), of
//     the request and the response (with it);
//   - three pure-ACK send jobs just ahead of a packet on the critical
//     path: the client's ACK of the SYN-ACK ahead of the request, the
//     server's quick ACK of the request ahead of the response, the
//     client's quick ACK of the response ahead of the server's FIN;
//   - the teardown: the server's FIN, sent right behind the response,
//     arrives while the client still processes the response (checked), so
//     it adds its softirq job, the end-of-file read (one copy job of a
//     52-byte packet) and the client's close(), the FIN+ACK's send job;
//   - the next SYN's wait at the server behind the previous connection's
//     FIN+ACK and final ACK (synSlack).
func TestCRRLatencyClosedForm(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(TCPCRR)
	cfg.Cluster.CoresPerNode = 1
	r := run(t, cfg)
	c := cfg.Cluster
	us := func(cycles float64) float64 { return cycles / c.GHz * 1e-3 }
	wire := func(ip int) float64 {
		return float64(ip+c.FrameOverhead)*8/(c.LinkGbps*1e3) + c.LinkDelay.Seconds()*1e6
	}
	oneWay := func(fwd bool, ip int, copyOut bool) float64 {
		p := cfg.Forward
		if !fwd {
			p = cfg.Reverse
		}
		t := us(pathCycles(p, ip, false))
		if copyOut {
			t += us(pathCycles(p, ip, true))
		}
		return t + wire(ip)
	}
	ackSend := us(sideCycles(cfg.Forward, datapath.Src, 52))
	old := oneWay(true, 52, false) + oneWay(false, 52, false) + oneWay(true, 53, true) + oneWay(false, 53, true) + 3*ackSend
	// the FIN leaves the server one send job after the response and is
	// shorter on the wire; the client is busy with the response's softirq
	// and copy and its ACK's send until after it arrives
	finLag := us(sideCycles(cfg.Reverse, datapath.Src, 52)) + wire(52) - wire(53)
	busy := us(sideCycles(cfg.Reverse, datapath.Dst, 53)+pathCycles(cfg.Reverse, 53, true)) + ackSend
	if finLag >= busy {
		t.Fatalf("the FIN arrives %.4f µs after the response, the client is busy %.4f µs: the closed form below does not apply", finLag, busy)
	}
	teardown := us(sideCycles(cfg.Reverse, datapath.Dst, 52)+pathCycles(cfg.Reverse, 52, true)) + ackSend
	want := old + teardown + us(synSlack(cfg))
	if math.Abs(r.LatencyP50us-want) > 1e-3 || math.Abs(r.LatencyP99us-want) > 1e-3 {
		t.Errorf("CRR latency p50 %.4f p99 %.4f µs, want %.4f (without the teardown %.4f)", r.LatencyP50us, r.LatencyP99us, want, old)
	}
	if cps := r.ConnectionsPerS; math.Abs(cps-1e6/want)/cps > 0.002 {
		t.Errorf("%.0f connections/s, want 1/latency = %.0f", cps, 1e6/want)
	}
}

// TestEstablishedPacketsWalkNothing: on a kept-alive TCP_RR connection to
// one of 10,000 iptables Services, a transaction costs only the NAT
// rewrite of the request and of the response (no rule walk): exactly 2 x
// 150 cycles more than to the pod. Socket LB costs nothing per packet.
func TestEstablishedPacketsWalkNothing(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(TCPRR)
	cfg.Cluster.CoresPerNode = 1
	base := run(t, cfg)
	ipt := run(t, withServices(t, cfg, service.IPTables, 10000, 4, TargetService))
	want := 2 * service.ConntrackCosts["netfilter"].NATCycles / cfg.Cluster.GHz * 1e-3
	if got := ipt.LatencyP99us - base.LatencyP50us; math.Abs(got-want) > 1e-3 || ipt.LatencyP50us != ipt.LatencyP99us {
		t.Errorf("iptables Service adds %.4f µs per established transaction (p50 %v p99 %v), want the NAT rewrites %.4f", got, ipt.LatencyP50us, ipt.LatencyP99us, want)
	}
	sock := run(t, withServices(t, cfg, service.EBPFSocket, 10000, 4, TargetService))
	if sock.LatencyP99us != base.LatencyP99us {
		t.Errorf("socket LB RR latency %v, want the pod's %v", sock.LatencyP99us, base.LatencyP99us)
	}
}
