package workload

import (
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// appCores runs an application's own work (nginx's per-request and
// per-byte cost, wrk's per-request cost) on its node's FIFO cores, where
// it competes with the kernel stages the network runs there.
type appCores struct {
	n        *network.Network
	node     int
	ghz      float64
	from, to sim.Time // accounting window
	busy     sim.Time // service accepted within [from, to)
}

// work queues cycles on core at now and returns when they are done.
func (a *appCores) work(now sim.Time, core int, cycles float64) sim.Time {
	d := sim.Cycles(cycles, a.ghz)
	_, done := a.n.Core(a.node, core).Serve(now, d)
	if now >= a.from && now < a.to {
		a.busy += d
	}
	return done
}

// cores returns the busy cores over the window.
func (a *appCores) cores() float64 {
	if a.to <= a.from {
		return 0
	}
	return float64(a.busy) / float64(a.to-a.from)
}

// Quantum is the longest stretch of application work a core runs before
// kernel work that arrived meanwhile (softirq) gets its turn: cores are
// FIFO servers, and without slicing a 70 µs wrk request or a 100 µs nginx
// chunk would hold back packet processing that Linux runs at once
// (assumed: 12,000 cycles, 5 µs at 2.4 GHz; it bounds the softirq delay a
// busy application adds, not the application's throughput).
const Quantum = 12000

// jobOwner is told when one of its jobs on a proc is done.
type jobOwner interface {
	jobDone(now sim.Time, tag uint64)
}

type procJob struct {
	cycles float64
	tag    uint64
}

// proc is an application thread (a wrk thread, an nginx worker) on one
// core: it runs its jobs one at a time in submission order, each in slices
// of at most Quantum cycles, and tells the owner when a job is done (at
// which point the owner writes to its socket, inside the same thread).
type proc struct {
	a       *appCores
	core    int
	owner   jobOwner
	jobs    []procJob
	head    int
	left    float64 // cycles left of the head job
	running bool
}

func (p *proc) submit(now sim.Time, cycles float64, tag uint64) {
	p.jobs = append(p.jobs, procJob{cycles, tag})
	if !p.running {
		p.running = true
		p.left = cycles
		p.slice(now)
	}
}

func (p *proc) slice(now sim.Time) {
	c := min(p.left, Quantum)
	p.left -= c
	p.a.n.Engine().Schedule(p.a.work(now, p.core, c), p, 0)
}

// Handle ends a slice.
func (p *proc) Handle(e *sim.Engine, _ uint64) {
	now := e.Now()
	if p.left > 0 {
		p.slice(now)
		return
	}
	j := p.jobs[p.head]
	p.head++
	p.owner.jobDone(now, j.tag) // may submit more
	if p.head == len(p.jobs) {
		p.jobs, p.head, p.running = p.jobs[:0], 0, false
		return
	}
	if p.head >= 1024 && 2*p.head >= len(p.jobs) { // a never-idle proc: drop the done prefix
		k := copy(p.jobs, p.jobs[p.head:])
		p.jobs, p.head = p.jobs[:k], 0
	}
	p.left = p.jobs[p.head].cycles
	p.slice(now)
}

// podNodes returns the client's and the server's node.
func podNodes(p datapath.Placement) (client, server int) {
	if p == datapath.Intra {
		return 0, 0
	}
	return 0, 1
}

// serverCore places the server's j-th worker: from core 0 on its own node,
// from the top when it shares the client's node (clients count from 0).
func serverCore(p datapath.Placement, coresPerNode, j int) int {
	if p == datapath.Intra {
		return coresPerNode - 1 - j%coresPerNode
	}
	return j % coresPerNode
}

// stackByContext fills the datapath share of CPUByContext from the
// accounting of an interval of span seconds.
func stackByContext(out map[string]float64, a network.Accounting, p datapath.Placement, ghz, span float64) {
	if span <= 0 {
		return
	}
	cores := func(node int) float64 { return a.NodeCycles(node) / (ghz * 1e9) / span }
	cl, sv := podNodes(p)
	if cl == sv {
		out["stack"] = cores(cl)
		return
	}
	out["client_stack"] = cores(cl)
	out["server_stack"] = cores(sv)
}

// cppOn fills r's virtual perf for data packets received on node dst.
func cppOn(r *Result, a network.Accounting, dst int, pkts uint64) {
	r.DataPackets = pkts
	if pkts == 0 {
		return
	}
	pk := float64(pkts)
	r.CPPByStage = make(map[string]float64)
	for k := 0; k < datapath.NumKinds; k++ {
		if c := a.Cycles[dst][k]; c > 0 {
			r.CPPByStage[datapath.Kind(k).String()] = c / pk
			r.CPPTotal += c / pk
		}
	}
	var fib float64
	for i := range a.Crossings {
		fib += a.Crossings[i][datapath.FIB]
	}
	r.FIBLookupsPer100kPackets = fib / pk * 1e5
}
