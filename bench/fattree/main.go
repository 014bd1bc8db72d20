// Command fattree runs long-lived TCP flows in a random permutation over a
// leaf-spine fabric, in-process, and prints the simulated packet-hops and
// the CPU time per packet-hop: the cnisim half of bench/htsim-fattree.sh,
// the same hosts, flows, link rate, link delay, MTU and simulated time as
// htsim's datacenter/htsim_tcp (fat-tree permutation TCP).
//
//	go run ./bench/fattree -hosts 128 -gbps 100 -simtime 10ms
//
// The CPU stage costs are on: every packet pays the stages of
// datapathtest.HostPath (500 cycles per packet on each side, 100 + 0.1 per
// byte for the socket copy) on the cores of its hosts, as BenchmarkFabric.
// A packet-hop is one link crossed by one delivered packet, data or ACK.
package main

import (
	"errors"
	"flag"
	"fmt"
	"github.com/cnisim/cnisim/bench/internal/procstat"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"time"

	"github.com/cnisim/cnisim/internal/hugepage"
	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fattree:", err)
		os.Exit(2)
	}
}

func run() error {
	hosts := flag.Int("hosts", 128, "hosts (a multiple of -per-leaf)")
	perLeaf := flag.Int("per-leaf", 16, "hosts per leaf switch")
	spines := flag.Int("spines", 16, "spine switches (uplinks per leaf)")
	gbps := flag.Float64("gbps", 100, "host and uplink rate, Gbit/s")
	delay := flag.Duration("delay", time.Microsecond, "per-link propagation delay")
	bufPkts := flag.Int("buffer-pkts", 8, "egress buffer per switch port, in MTU-sized packets (static partitioning)")
	flows := flag.Int("flows", 1, "flows per host (each host sends to its image under one random permutation)")
	simtime := flag.Duration("simtime", 10*time.Millisecond, "simulated time")
	mtu := flag.Int("mtu", 1500, "MTU, bytes")
	seed := flag.Uint64("seed", 1, "random seed (permutation, start times, ECMP keys)")
	prof := flag.String("cpuprofile", "", "write a CPU profile to `FILE`")
	flag.Parse()
	hugepage.Start(hugepage.Interval)
	switch {
	case flag.NArg() != 0:
		return errors.New("no arguments expected: flags only (-h lists them)")
	case *perLeaf < 1 || *hosts < 2*(*perLeaf) || *hosts%*perLeaf != 0:
		return fmt.Errorf("-hosts %d, -per-leaf %d: hosts must be at least two leaves' worth and a multiple of -per-leaf", *hosts, *perLeaf)
	case *spines < 1 || *flows < 1 || *bufPkts < 1 || *gbps <= 0 || *simtime <= 0 || *delay < 0:
		return errors.New("-spines, -flows, -buffer-pkts, -gbps and -simtime must be positive, -delay not negative")
	}
	leaves := *hosts / *perLeaf
	c := network.DefaultConfig()
	c.Nodes, c.LinkGbps, c.LinkDelay, c.MTU = *hosts, *gbps, sim.Time(delay.Nanoseconds())*sim.Nanosecond, *mtu
	ports := *perLeaf + *spines // a leaf's egress ports
	c.Fabric = network.Fabric{Kind: network.FabricLeafSpine, Leaves: leaves, Spines: *spines, NodesPerLeaf: *perLeaf,
		UplinkGbps: *gbps, BufferBytes: int64(ports * *bufPkts * *mtu), PerPort: true}
	stop, err := procstat.StartProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	runtime.LockOSThread()
	c0, w0 := procstat.CPUTime(), time.Now()
	e := sim.NewEngine()
	n, err := network.New(e, c)
	if err != nil {
		return err
	}
	path := datapathtest.HostPath(1)
	rng := rand.New(rand.NewPCG(*seed, 2))
	perm := derangement(rng, *hosts)
	var conns []*tcp.Conn
	for i, j := range perm {
		for k := range *flows {
			core := k % c.CoresPerNode
			conn, err := tcp.Dial(n, tcp.Side{Node: i, Core: core}, tcp.Side{Node: j, Core: core},
				path, path, *mtu, rng.Uint64(), tcp.Options{})
			if err != nil {
				return err
			}
			conn.Client.Write(0, math.MaxInt64/2)
			conn.Connect(sim.Time(rng.Int64N(int64(10 * sim.Microsecond))))
			conns = append(conns, conn)
		}
	}
	end := sim.Time(simtime.Nanoseconds()) * sim.Nanosecond
	e.RunUntil(end)
	cpu, wall := procstat.CPUTime()-c0, time.Since(w0)
	var hops, pkts, acked float64
	for _, conn := range conns {
		for _, ep := range []*tcp.Endpoint{conn.Client, conn.Server} {
			r := ep.Route()
			_, d, _ := r.Counts()
			hops += float64(d) * float64(r.Hops())
			pkts += float64(d)
		}
		acked += float64(conn.Client.Stats.BytesAcked)
	}
	if err := n.Conservation(); err != nil {
		return err
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("hosts=%d flows=%d sim_s=%g packets=%.0f hops=%.0f events=%d wall_s=%.3f cpu_s=%.3f cpu_ns_per_hop=%.1f goodput_gbps_per_flow=%.2f heap_mb=%.1f max_rss_mb=%.1f\n",
		*hosts, len(conns), simtime.Seconds(), pkts, hops, e.Executed(), wall.Seconds(), cpu.Seconds(),
		cpu.Seconds()*1e9/hops, acked*8/simtime.Seconds()/1e9/float64(len(conns)), float64(ms.HeapInuse)/1e6, procstat.MaxRSSMB())
	return nil
}

// derangement is a random permutation of 0..n-1 without fixed points.
func derangement(rng *rand.Rand, n int) []int {
	for {
		p := rng.Perm(n)
		ok := true
		for i, j := range p {
			ok = ok && i != j
		}
		if ok {
			return p
		}
	}
}
