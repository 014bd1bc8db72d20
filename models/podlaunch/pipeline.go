package podlaunch

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/cnisim/cnisim/sim"
	"gonum.org/v1/gonum/stat/distuv"
)

// Callbacks let a caller react to pods on the same engine, for example
// start a TCP client in a pod when it starts and stop blackholing its
// packets when its network is ready. Nil callbacks are skipped.
type Callbacks struct {
	OnStarted      func(pod int, t sim.Time) // the container is running
	OnNetworkReady func(pod int, t sim.Time) // the pod's packets pass from now on
	OnRunning      func(pod int, t sim.Time) // status persisted: launch complete
}

// Pipeline is the launch pipeline of one experiment on a caller's engine.
type Pipeline struct {
	e       *sim.Engine
	cfg     Config
	plugin  *PluginParams
	cb      Callbacks
	prog    []op
	policy  bool // whether cni_policy is part of ADD
	samples [NumStages]sampler
	arrival *rand.Rand // Poisson gaps

	buckets   [2]tokenBucket
	nodeBkts  []tokenBucket
	inflight  resource
	scheduler resource
	kubelet   []resource
	cniLock   []resource
	nextNode  int

	start   sim.Time
	started bool
	pods    []podState
	running int
}

type podState struct {
	Pod
	pc        int
	waitSince sim.Time
	waitKind  Wait
	netReady  bool
}

// event kinds, in the high half of an event's arg (the pod in the low half).
const (
	evCreate uint64 = iota << 32
	evResume
	evNetReady
)

// New validates cfg and prepares a pipeline on e. Nothing happens until
// Start. Random draws come from streams named "podlaunch/<stage>" and
// "podlaunch/arrival", so two configurations with the same streams share
// their pods' control-plane durations (common random numbers).
func New(e *sim.Engine, cfg Config, streams sim.Streams, cb Callbacks) (*Pipeline, error) {
	if e == nil {
		return nil, errors.New("podlaunch: nil engine")
	}
	plugin, cluster, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	lim := cluster.Limits.limits()
	if cfg.Limits != nil {
		lim = *cfg.Limits
	}
	switch {
	case cfg.Pods < 1:
		return nil, fmt.Errorf("podlaunch: pods = %d, want >= 1", cfg.Pods)
	case cfg.Nodes < 0:
		return nil, fmt.Errorf("podlaunch: nodes = %d, want >= 1 (0 means 1)", cfg.Nodes)
	case cfg.SetupDelay < 0:
		return nil, fmt.Errorf("podlaunch: setup_delay = %v, want >= 0", cfg.SetupDelay)
	}
	if err := lim.validate(); err != nil {
		return nil, fmt.Errorf("podlaunch: %w", err)
	}
	if err := cfg.Arrival.validate(); err != nil {
		return nil, fmt.Errorf("podlaunch: %w", err)
	}
	if cfg.Nodes == 0 {
		cfg.Nodes = 1
	}
	p := &Pipeline{e: e, cfg: cfg, plugin: plugin, cb: cb}
	p.prog = buildProgram(plugin.HasCNI(), plugin.SerializeScope(), cfg.Async)
	switch plugin.PolicyMode() {
	case "always":
		p.policy = true
	case "optional":
		p.policy = cfg.Policy
	}
	for _, s := range clusterStages {
		p.samples[s] = cluster.Stage[s.String()].sampler(streams.Source("podlaunch/" + s.String()))
	}
	if plugin.HasCNI() {
		for _, s := range cniStages {
			if spec := plugin.Stage[s.String()]; spec != nil {
				p.samples[s] = spec.sampler(streams.Source("podlaunch/" + s.String()))
			}
		}
	}
	p.arrival = streams.Stream("podlaunch/arrival")
	p.buckets[bucketAPI] = newTokenBucket(lim.API)
	p.buckets[bucketBind] = newTokenBucket(lim.Bind)
	p.inflight.capacity = lim.APIInflight
	p.scheduler.capacity = lim.SchedulerParallelism
	p.nodeBkts = make([]tokenBucket, cfg.Nodes)
	p.kubelet = make([]resource, cfg.Nodes)
	p.cniLock = make([]resource, cfg.Nodes)
	for n := range cfg.Nodes {
		p.nodeBkts[n] = newTokenBucket(lim.Kubelet)
		p.kubelet[n].capacity = lim.KubeletWorkers
		p.cniLock[n].capacity = 1
	}
	return p, nil
}

func resolve(cfg Config) (*PluginParams, *ClusterParams, error) {
	plugin := cfg.Params
	if plugin == nil {
		var err error
		if plugin, err = BuiltinPlugin(cfg.Plugin); err != nil {
			return nil, nil, fmt.Errorf("podlaunch: %w", err)
		}
	} else if errs := plugin.validate(); len(errs) > 0 {
		return nil, nil, fmt.Errorf("podlaunch: plugin %q: %w", plugin.Plugin, errors.Join(errs...))
	}
	cluster := cfg.Cluster
	if cluster == nil {
		var err error
		if cluster, err = BuiltinCluster(); err != nil {
			return nil, nil, err
		}
	} else if errs := cluster.validate(); len(errs) > 0 {
		return nil, nil, fmt.Errorf("podlaunch: cluster parameters: %w", errors.Join(errs...))
	}
	return plugin, cluster, nil
}

// Start draws every pod's stage durations and schedules the creations
// from now on according to the arrival pattern. It may be called once.
func (p *Pipeline) Start() {
	if p.started {
		panic("podlaunch: Start called twice")
	}
	p.started = true
	p.start = p.e.Now()
	p.pods = make([]podState, p.cfg.Pods)
	for i := range p.pods {
		p.draw(&p.pods[i].Pod)
	}
	switch p.cfg.Arrival.Kind {
	case Burst, Sequential:
		n := p.cfg.Pods
		if p.cfg.Arrival.Kind == Sequential {
			n = 1 // the next pod is created when this one is running
		}
		for i := range n {
			p.e.Schedule(p.start, p, evCreate|uint64(i))
		}
	case Rate:
		for i := range p.cfg.Pods {
			p.e.Schedule(p.start+sim.FromSeconds(float64(i)/p.cfg.Arrival.PerSecond), p, evCreate|uint64(i))
		}
	case Poisson:
		gap := distuv.Exponential{Rate: p.cfg.Arrival.PerSecond, Src: p.arrival}
		t := 0.0
		for i := range p.cfg.Pods {
			if i > 0 {
				t += gap.Rand()
			}
			p.e.Schedule(p.start+sim.FromSeconds(t), p, evCreate|uint64(i))
		}
	}
}

// draw fills a pod's stage durations: every stage is drawn, used or not,
// so that each stream stays aligned with the pod index across modes.
func (p *Pipeline) draw(pod *Pod) {
	for s := Stage(0); s < NumStages; s++ {
		if p.samples[s] != nil {
			pod.Stages[s] = sim.FromSeconds(min(max(p.samples[s].Rand(), 0), maxDraw))
		}
	}
	if !p.plugin.HasCNI() {
		return
	}
	if !p.policy {
		pod.Stages[CNIPolicy] = 0
	}
	if p.cfg.SetupDelay > 0 {
		pod.Stages[CNIPolicy], pod.Stages[CNILabels] = 0, 0
		pod.Stages[CNISetupDelay] = sim.FromDuration(p.cfg.SetupDelay)
	}
	pod.Deferred = p.cfg.Async
}

// Handle implements sim.Handler.
func (p *Pipeline) Handle(e *sim.Engine, arg uint64) {
	i := int(arg & 0xffffffff)
	ps := &p.pods[i]
	switch arg &^ 0xffffffff {
	case evCreate:
		ps.Created = e.Now()
		p.advance(i)
	case evResume:
		p.advance(i)
	case evNetReady:
		p.networkReady(i)
	}
}

// advance runs pod i's program until it has to wait.
func (p *Pipeline) advance(i int) {
	ps := &p.pods[i]
	now := p.e.Now()
	for ps.pc < len(p.prog) {
		o := p.prog[ps.pc]
		ps.pc++
		switch o.kind {
		case opBucket:
			b := p.bucket(o.which, ps.Node)
			if at := b.take(now); at > now {
				ps.Waits[o.wait] += at - now
				p.e.Schedule(at, p, evResume|uint64(i))
				return
			}
		case opAcquire:
			r := p.resource(o.which, i)
			if !r.tryAcquire() {
				r.enqueue(i)
				ps.waitSince, ps.waitKind = now, o.wait
				return
			}
		case opRelease:
			if next, ok := p.resource(o.which, i).release(); ok {
				q := &p.pods[next]
				q.Waits[q.waitKind] += now - q.waitSince
				p.e.Schedule(now, p, evResume|uint64(next))
			}
			if o.which == resScheduler {
				// Bound: spread pods round-robin over the nodes.
				ps.Node = p.nextNode
				p.nextNode = (p.nextNode + 1) % p.cfg.Nodes
			}
		case opStage:
			if d := ps.Stages[o.stage]; d > 0 {
				p.e.Schedule(now+d, p, evResume|uint64(i))
				return
			}
		case opForkDeferred:
			d := ps.Stages[CNIPolicy] + ps.Stages[CNILabels] + ps.Stages[CNISetupDelay]
			ps.NetworkReady = now + d
			if d > 0 {
				p.e.Schedule(now+d, p, evNetReady|uint64(i))
			} else {
				p.networkReady(i)
			}
		case opAddReturned:
			ps.AddReturned = now
			if !p.cfg.Async || !p.plugin.HasCNI() {
				ps.NetworkReady = now
				p.networkReady(i)
			}
		case opStarted:
			ps.Started = now
			if p.cb.OnStarted != nil {
				p.cb.OnStarted(i, now)
			}
		case opRunning:
			ps.Running = now
			p.running++
			if p.cb.OnRunning != nil {
				p.cb.OnRunning(i, now)
			}
			if p.cfg.Arrival.Kind == Sequential && i+1 < len(p.pods) {
				p.e.Schedule(now, p, evCreate|uint64(i+1))
			}
		}
	}
}

func (p *Pipeline) networkReady(i int) {
	ps := &p.pods[i]
	ps.netReady = true
	if p.cb.OnNetworkReady != nil {
		p.cb.OnNetworkReady(i, ps.NetworkReady)
	}
}

func (p *Pipeline) bucket(which, node int) *tokenBucket {
	if which == bucketKubelet {
		return &p.nodeBkts[node]
	}
	return &p.buckets[which]
}

func (p *Pipeline) resource(which, pod int) *resource {
	switch which {
	case resInflight:
		return &p.inflight
	case resScheduler:
		return &p.scheduler
	case resKubelet:
		return &p.kubelet[p.pods[pod].Node]
	default:
		return &p.cniLock[p.pods[pod].Node]
	}
}

// NetworkReady reports whether pod i's packets pass now; until then a
// caller's datapath should drop them (asynchronous CNI set-up).
func (p *Pipeline) NetworkReady(i int) bool {
	return i >= 0 && i < len(p.pods) && p.pods[i].netReady
}

// Done reports whether every pod is running.
func (p *Pipeline) Done() bool { return p.started && p.running == len(p.pods) }

// Pod returns pod i's record so far.
func (p *Pipeline) Pod(i int) Pod { return p.pods[i].Pod }
