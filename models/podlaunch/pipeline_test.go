package podlaunch

import (
	"testing"
	"time"

	"github.com/cnisim/cnisim/sim"
)

// A full set of deterministic stage times, all distinct so a missing or
// doubled stage shows in the sum.
var allStages = map[Stage]time.Duration{
	APIAdmission: 11 * time.Millisecond, Scheduling: 13 * time.Millisecond,
	KubeletSync: 170 * time.Millisecond, Sandbox: 190 * time.Millisecond,
	CNIIPAM: 23 * time.Millisecond, CNIVeth: 29 * time.Millisecond, CNIRoutes: 31 * time.Millisecond,
	CNIPolicy: 37 * time.Millisecond, CNILabels: 41 * time.Millisecond,
	ContainerStart: 430 * time.Millisecond, StatusUpdate: 470 * time.Millisecond,
}

func sumStages(only func(Stage) bool) sim.Time {
	var t sim.Time
	for s, d := range allStages {
		if only(s) {
			t += sim.FromDuration(d)
		}
	}
	return t
}

// A single pod's launch time is the sum of its stage times (paper III.D's
// pipeline, nothing else on the path).
func TestSinglePodIsSumOfStages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		scope, policy string
		policyOn      bool
		want          sim.Time
	}{
		{"none", "always", false, sumStages(func(Stage) bool { return true })},
		{"add", "always", false, sumStages(func(Stage) bool { return true })},
		{"ipam", "optional", true, sumStages(func(Stage) bool { return true })},
		{"ipam", "optional", false, sumStages(func(s Stage) bool { return s != CNIPolicy })},
		{"none", "never", false, sumStages(func(s Stage) bool { return s != CNIPolicy })},
	} {
		cfg := Config{Params: detPlugin(tc.scope, tc.policy, allStages), Cluster: detCluster(allStages),
			Policy: tc.policyOn, Pods: 1}
		r, err := Run(cfg, sim.Streams{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		p := r.Pods[0]
		if p.LaunchTime() != tc.want {
			t.Errorf("%s/%s policy=%v: launch %v, want %v", tc.scope, tc.policy, tc.policyOn, p.LaunchTime(), tc.want)
		}
		var parts float64
		for _, b := range r.Breakdown() {
			parts += b.Seconds
		}
		if d := parts - tc.want.Seconds(); d > 1e-9 || d < -1e-9 {
			t.Errorf("breakdown sums to %v s, want %v", parts, tc.want.Seconds())
		}
	}
}

// With the calibrated (random) stages and queueing, every pod's launch
// time is its critical-path stages plus its waits: no time is lost or
// double counted.
func TestLaunchIsStagesPlusWaits(t *testing.T) {
	t.Parallel()
	for _, async := range []bool{false, true} {
		for _, pl := range Plugins() {
			r, err := Run(Config{Plugin: pl, Pods: 40, Nodes: 2, Async: async, Policy: true}, sim.Streams{Seed: 7})
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range r.Pods {
				var sum sim.Time
				for s := Stage(0); s < NumStages; s++ {
					if p.OnCriticalPath(s) {
						sum += p.Stages[s]
					}
				}
				for _, w := range p.Waits {
					sum += w
				}
				if sum != p.LaunchTime() {
					t.Fatalf("%s async=%v pod %d: stages+waits %v != launch %v", pl, async, i, sum, p.LaunchTime())
				}
			}
		}
	}
}

// Burst of N pods through one FIFO station of k servers with deterministic
// service S and nothing else on the path: makespan = ceil(N/k) x S.
func TestMakespanOneBottleneck(t *testing.T) {
	t.Parallel()
	const S = 100 * time.Millisecond
	for _, tc := range []struct {
		name  string
		n, k  int
		stage Stage
		setup func(l *Limits, k int)
		scope string
	}{
		{"scheduler", 10, 1, Scheduling, func(l *Limits, k int) { l.SchedulerParallelism = k }, "none"},
		{"scheduler k=3", 10, 3, Scheduling, func(l *Limits, k int) { l.SchedulerParallelism = k }, "none"},
		{"kubelet workers k=4", 17, 4, Sandbox, func(l *Limits, k int) { l.KubeletWorkers = k }, "none"},
		{"api inflight k=2", 9, 2, APIAdmission, func(l *Limits, k int) { l.APIInflight = k }, "none"},
		{"cni lock (add)", 12, 1, CNIVeth, func(*Limits, int) {}, "add"},
		{"cni lock (ipam)", 12, 1, CNIIPAM, func(*Limits, int) {}, "ipam"},
		{"no cni lock", 12, 12, CNIVeth, func(*Limits, int) {}, "none"},
	} {
		d := map[Stage]time.Duration{tc.stage: S}
		lim := unlimited()
		tc.setup(lim, tc.k)
		cfg := Config{Params: detPlugin(tc.scope, "always", d), Cluster: detCluster(d), Pods: tc.n, Limits: lim}
		r, err := Run(cfg, sim.Streams{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := sim.Time((tc.n+tc.k-1)/tc.k) * sim.FromDuration(S)
		if got := r.Makespan(); got != want {
			t.Errorf("%s: makespan %v, want ceil(%d/%d) x %v = %v", tc.name, got, tc.n, tc.k, S, want)
		}
	}
}

// Two single-server FIFO stations in tandem, burst of N, deterministic
// services s1, s2: makespan = s1 + s2 + (N-1) max(s1, s2) (the slower
// station paces the line once it fills).
func TestMakespanTandem(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ s1, s2 time.Duration }{
		{30 * time.Millisecond, 70 * time.Millisecond},
		{70 * time.Millisecond, 30 * time.Millisecond},
		{50 * time.Millisecond, 50 * time.Millisecond},
	} {
		const n = 8
		d := map[Stage]time.Duration{Scheduling: tc.s1, CNIVeth: tc.s2, KubeletSync: 5 * time.Millisecond}
		lim := unlimited()
		lim.SchedulerParallelism = 1
		cfg := Config{Params: detPlugin("add", "always", d), Cluster: detCluster(d), Pods: n, Limits: lim}
		r, err := Run(cfg, sim.Streams{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		want := sim.FromDuration(tc.s1 + tc.s2 + 5*time.Millisecond + (n-1)*max(tc.s1, tc.s2))
		if got := r.Makespan(); got != want {
			t.Errorf("s1=%v s2=%v: makespan %v, want %v", tc.s1, tc.s2, got, want)
		}
	}
}

// client-go's token bucket: a burst of N requests from a full bucket (QPS
// q, burst b) admits b at once and then one every 1/q: request k waits
// max(0, (k-b+1)/q).
func TestAPITokenBucket(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		qps   float64
		burst int
		n     int
	}{{5, 10, 30}, {20, 1, 15}, {50, 100, 40}, {8, 3, 20}} {
		lim := unlimited()
		lim.API = Bucket{QPS: tc.qps, Burst: tc.burst}
		cfg := Config{Params: detPlugin("none", "always", nil), Cluster: detCluster(nil), Pods: tc.n, Limits: lim}
		r, err := Run(cfg, sim.Streams{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		interval := sim.FromSeconds(1 / tc.qps)
		for k, p := range r.Pods {
			want := sim.Time(max(0, k-tc.burst+1)) * interval
			if p.Waits[WaitAPIQPS] != want || p.Running != want {
				t.Errorf("qps %v burst %d pod %d: wait %v running %v, want %v", tc.qps, tc.burst, k, p.Waits[WaitAPIQPS], p.Running, want)
			}
		}
		// Rate respected: in any window [a, a+T] at most burst + q T admissions.
		for i := range r.Pods {
			for j := i; j < len(r.Pods); j++ {
				span := (r.Pods[j].Running - r.Pods[i].Running).Seconds()
				if float64(j-i+1) > float64(tc.burst)+tc.qps*span+1e-9 {
					t.Fatalf("qps %v burst %d: %d admissions in %v s", tc.qps, tc.burst, j-i+1, span)
				}
			}
		}
	}
}

// The per-node kubelet bucket limits status writes per node: two nodes
// have two buckets.
func TestKubeletBucketPerNode(t *testing.T) {
	t.Parallel()
	lim := unlimited()
	lim.Kubelet = Bucket{QPS: 2, Burst: 1}
	cfg := Config{Params: detPlugin("none", "always", nil), Cluster: detCluster(nil), Pods: 6, Nodes: 2, Limits: lim}
	r, err := Run(cfg, sim.Streams{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Round-robin: 3 pods per node, admitted at 0, 0.5, 1.0 s on each.
	if got, want := r.Makespan(), sim.Second; got != want {
		t.Errorf("makespan %v, want %v", got, want)
	}
}

// Asynchronous CNI (vendor analysis): ADD returns after the minimal
// plumbing; the pod starts earlier than with blocking CNI by exactly the
// deferred work, and its network is ready that long after ADD returned.
func TestAsyncVersusBlocking(t *testing.T) {
	t.Parallel()
	deferred := sim.FromDuration(allStages[CNIPolicy] + allStages[CNILabels])
	run := func(async bool, delay time.Duration) Result {
		cfg := Config{Params: detPlugin("add", "always", allStages), Cluster: detCluster(allStages),
			Pods: 1, Async: async, SetupDelay: delay}
		r, err := Run(cfg, sim.Streams{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	b, a := run(false, 0).Pods[0], run(true, 0).Pods[0]
	if !(b.NetworkReady <= b.Started) || b.NetworkReady != b.AddReturned {
		t.Errorf("blocking: network ready %v, ADD returned %v, started %v", b.NetworkReady, b.AddReturned, b.Started)
	}
	if a.Started != b.Started-deferred {
		t.Errorf("async started %v, want blocking's %v - %v", a.Started, b.Started, deferred)
	}
	if a.NetworkReady != a.AddReturned+deferred || !(a.NetworkReady > a.AddReturned) {
		t.Errorf("async network ready %v, want ADD return %v + %v", a.NetworkReady, a.AddReturned, deferred)
	}
	// setup_delay replaces policy+labels and can outlast container start,
	// leaving a running pod without network (the curl case).
	const delay = 2 * time.Second
	b2, a2 := run(false, delay).Pods[0], run(true, delay).Pods[0]
	if got := a2.NetworkReady - a2.AddReturned; got != sim.FromDuration(delay) {
		t.Errorf("async with setup_delay: network ready %v after ADD, want %v", got, delay)
	}
	if !(a2.NetworkReady > a2.Started) {
		t.Errorf("async: network ready %v should follow start %v with a 2 s delay", a2.NetworkReady, a2.Started)
	}
	if b2.Started-a2.Started != sim.FromDuration(delay) || !(b2.NetworkReady <= b2.Started) {
		t.Errorf("blocking with setup_delay: started %v, async %v; want %v later", b2.Started, a2.Started, delay)
	}
}

// Async shortens the per-node CNI lock: with serialize = add, a burst's
// makespan is paced by the minimal plumbing rather than the full ADD.
func TestAsyncShortensCNILock(t *testing.T) {
	t.Parallel()
	d := map[Stage]time.Duration{CNIVeth: 50 * time.Millisecond, CNIPolicy: 150 * time.Millisecond}
	for _, tc := range []struct {
		async bool
		want  sim.Time
	}{{false, 10 * ms(200)}, {true, 10 * ms(50)}} {
		cfg := Config{Params: detPlugin("add", "always", d), Cluster: detCluster(d), Pods: 10, Async: tc.async, Limits: unlimited()}
		r, err := Run(cfg, sim.Streams{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Makespan(); got != tc.want {
			t.Errorf("async=%v: makespan %v, want %v", tc.async, got, tc.want)
		}
	}
}

// The lower-level API: callbacks fire at the recorded times, and
// NetworkReady is false until the deferred work is done.
func TestCallbacksOnSharedEngine(t *testing.T) {
	t.Parallel()
	e := sim.NewEngine()
	e.RunUntil(5 * sim.Second) // a caller's engine already in use
	var started, ready sim.Time
	var p *Pipeline
	var readyAtStart bool
	cfg := Config{Params: detPlugin("none", "always", allStages), Cluster: detCluster(allStages),
		Pods: 1, Async: true, SetupDelay: time.Second}
	p, err := New(e, cfg, sim.Streams{Seed: 1}, Callbacks{
		OnStarted:      func(pod int, t sim.Time) { started = t; readyAtStart = p.NetworkReady(pod) },
		OnNetworkReady: func(pod int, t sim.Time) { ready = t },
	})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	e.Run()
	pod := p.Pod(0)
	if started != pod.Started || ready != pod.NetworkReady || readyAtStart || !p.NetworkReady(0) || !p.Done() {
		t.Errorf("started %v/%v ready %v/%v readyAtStart %v", started, pod.Started, ready, pod.NetworkReady, readyAtStart)
	}
	if pod.Created != 5*sim.Second {
		t.Errorf("created at %v, want the engine's time 5s", pod.Created)
	}
}

// Host networking makes no CNI call: no CNI time, network ready at once.
func TestHostHasNoCNI(t *testing.T) {
	t.Parallel()
	r, err := Run(Config{Plugin: "host", Pods: 5, Async: true, SetupDelay: time.Second}, sim.Streams{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Pods {
		if p.NetworkSetup() != 0 || p.NetworkReady != p.AddReturned || p.Deferred {
			t.Errorf("host pod: network %v ready %v add %v", p.NetworkSetup(), p.NetworkReady, p.AddReturned)
		}
	}
}

func TestArrivals(t *testing.T) {
	t.Parallel()
	base := Config{Params: detPlugin("none", "always", nil), Cluster: detCluster(map[Stage]time.Duration{Sandbox: time.Second}),
		Pods: 5, Limits: unlimited()}
	cfg := base
	cfg.Arrival = Arrival{Kind: Rate, PerSecond: 4}
	r, _ := Run(cfg, sim.Streams{Seed: 1})
	for i, p := range r.Pods {
		if p.Created != sim.FromSeconds(float64(i)/4) {
			t.Errorf("rate: pod %d created %v", i, p.Created)
		}
	}
	cfg.Arrival = Arrival{Kind: Sequential}
	r, _ = Run(cfg, sim.Streams{Seed: 1})
	if r.Makespan() != 5*sim.Second {
		t.Errorf("sequential makespan %v, want 5 x 1 s", r.Makespan())
	}
	cfg.Arrival = Arrival{Kind: Poisson, PerSecond: 10}
	r, _ = Run(cfg, sim.Streams{Seed: 1})
	for i := 1; i < len(r.Pods); i++ {
		if r.Pods[i].Created <= r.Pods[i-1].Created {
			t.Errorf("poisson: creations not increasing at %d", i)
		}
	}
	for _, s := range []struct {
		in   string
		want Arrival
		ok   bool
	}{{"burst", Arrival{Kind: Burst}, true}, {"10/s", Arrival{Rate, 10}, true}, {"poisson:2.5/s", Arrival{Poisson, 2.5}, true},
		{"sequential", Arrival{Kind: Sequential}, true}, {"10", Arrival{}, false}, {"-1/s", Arrival{}, false}, {"poisson:/s", Arrival{}, false}} {
		got, err := ParseArrival(s.in)
		if (err == nil) != s.ok || got != s.want {
			t.Errorf("ParseArrival(%q) = %v, %v", s.in, got, err)
		}
	}
}

func TestDeterminism(t *testing.T) {
	t.Parallel()
	cfg := Config{Plugin: "calico", Policy: true, Pods: 50, Nodes: 2, Arrival: Arrival{Kind: Poisson, PerSecond: 20}, Async: true}
	a, _ := Run(cfg, sim.Streams{Seed: 9, Replication: 2})
	b, _ := Run(cfg, sim.Streams{Seed: 9, Replication: 2})
	c, _ := Run(cfg, sim.Streams{Seed: 9, Replication: 3})
	for i := range a.Pods {
		if a.Pods[i] != b.Pods[i] {
			t.Fatalf("pod %d differs between identical runs", i)
		}
	}
	if a.Makespan() == c.Makespan() {
		t.Error("different replications gave the same makespan")
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{
		{Plugin: "nope", Pods: 1},
		{Plugin: "weave", Pods: 0},
		{Plugin: "weave", Pods: 1, Nodes: -1},
		{Plugin: "weave", Pods: 1, SetupDelay: -time.Second},
		{Plugin: "weave", Pods: 1, Arrival: Arrival{Kind: Rate}},
		{Plugin: "weave", Pods: 1, Limits: &Limits{API: Bucket{QPS: 5}, SchedulerParallelism: 1}},
		{Plugin: "weave", Pods: 1, Limits: &Limits{}},
		{Params: &PluginParams{Plugin: "x"}, Pods: 1},
	} {
		if _, err := Run(cfg, sim.Streams{}); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
