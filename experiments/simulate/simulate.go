package simulate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/models/workload"
	"github.com/cnisim/cnisim/sim"
)

// Model is the packet-level simulator as an run.Model.
var Model run.Model = Prepare

// Prepare resolves and validates a sweep point once: the plugin, the
// profile, the costed paths and the workload configuration. The returned
// Point runs a replication with nothing left to resolve, so a point's
// replications share one resolution.
func Prepare(sc *scenario.Scenario) (run.Point, error) {
	switch sc.Workload.Kind {
	case workload.TCPStream, workload.UDPStream, workload.TCPRR, workload.TCPCRR, workload.UDPRR, workload.HTTPDownload, workload.HTTPLoad, workload.Mixed, workload.NodePort:
	case PodLaunch:
		return preparePodLaunch(sc)
	default:
		return nil, &scenario.FieldError{Key: "workload.kind", Msg: "allowed " + strings.Join(scenario.Kinds, ", ")}
	}
	base, err := Config(sc, 0, 0)
	if err != nil {
		return nil, err
	}
	if err := base.Check(); err != nil {
		return nil, keyed("", err)
	}
	portLog := sc.PortLog
	capture, err := traceCapture(sc)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, rep int, seed uint64) (run.Sample, error) {
		var s run.Sample
		if err := ctx.Err(); err != nil {
			return s, err
		}
		cfg := base
		cfg.Seed, cfg.Replication = seed, rep
		cfg.Cluster.Streams = sim.Streams{Seed: seed, Replication: rep}
		cfg.Progress = run.ProgressOf(ctx)
		cp := capture(rep)
		cfg.TCP.Capture = cp
		r, err := workload.Run(cfg)
		if err != nil {
			return s, keyed("", err)
		}
		if cp != nil {
			s.Pcap, s.PcapSkipped = cp.Files(), cp.Skipped()
		}
		fill(&s, &r, base.Cluster.Fabric.DropNotECT, base.Cluster.Qdisc == network.QdiscFQCoDel)
		if base.Interval > 0 { // a timeline was asked for
			s.Series = timeline(r.Series)
		}
		s.Flows = r.FlowLog // nil unless the scenario's flow_log asks
		if portLog {
			s.Ports = portRows(r.Packets.Ports)
		}
		return s, nil
	}, nil
}

// Run simulates replication rep of sc with the given seed: Prepare and one
// replication, for a caller with a single run to make.
func Run(ctx context.Context, sc *scenario.Scenario, rep int, seed uint64) (run.Sample, error) {
	point, err := Prepare(sc)
	if err != nil {
		return run.Sample{}, err
	}
	return point(ctx, rep, seed)
}

// Setup is a scenario resolved against the model data.
type Setup struct {
	Model   *cni.Model
	Mode    string
	Profile *calibration.Profile
	Options cni.PathOptions
	// Forward runs from the client pod to the server pod; Reverse back.
	Forward, Reverse datapath.CostedPath
	PodMTU           int
	// GROFrameCycles is what each frame GRO merges costs the receiving
	// core (network.Config.GROFrameCycles): calibration.gro_frame_cycles
	// when set, else the profile's [[gro_frame]] for every frame, else
	// network.DefaultGROFrameCycles; GSOSegmentCycles likewise what each
	// segment software GSO cuts costs the sending core.
	GROFrameCycles, GSOSegmentCycles float64
}

// Resolve loads the plugin and the profile named by sc and costs its paths.
func Resolve(sc *scenario.Scenario) (*Setup, error) {
	m, err := cni.Load(sc.CNI.Plugin)
	if err != nil {
		return nil, keyed("cni.plugin", err)
	}
	mode := sc.CNI.Mode
	if mode == "" {
		mode = m.DefaultMode
	}
	if _, err := m.Mode(mode); err != nil {
		return nil, keyed("cni.mode", err)
	}
	prof, err := calibration.LoadLayers(sc.Calibration.Profile)
	if err != nil {
		return nil, keyed("calibration.profile", err)
	}
	if len(sc.Calibration.Cycles) > 0 || len(sc.Calibration.Scale) > 0 {
		prof = prof.Clone()
		if err := prof.OverrideAll(sc.Calibration.Cycles); err != nil {
			return nil, keyed("calibration.cycles", err)
		}
		if err := prof.ScaleAll(sc.Calibration.Scale); err != nil {
			return nil, keyed("calibration.scale", err)
		}
	}
	// The clock model (calibration.Clocked): the network model turns
	// cycles into time by dividing by the cluster's GHz, so per-crossing
	// cycles, and per-byte cycles of a profile with per_byte_scaling
	// "clock" (the default), run faster on a faster cluster; a "fixed"
	// per-byte cost is restated in the cluster's cycles so that it keeps
	// the profile's time per byte (cycles_per_byte / profile cpu_ghz ns).
	groFrame, gsoSegment, err := frameCosts(sc, prof)
	if err != nil {
		return nil, err
	}
	costs := prof.AtClock(sc.Cluster.CPUGHz)
	engine, err := m.PolicyEngine(mode, sc.CNI.PolicyEngine)
	if err != nil {
		return nil, keyed("cni.policy_engine", err)
	}
	opt := cni.PathOptions{Policy: sc.CNI.Policy, PolicyRules: sc.CNI.PolicyRules, PolicyConntrack: sc.CNI.PolicyConntrack,
		Engine: engine, Encrypt: sc.CNI.Encrypt}
	placement := datapath.Placement(sc.Workload.Placement)
	// The policy rules guard the server pod: packets toward it walk them,
	// packets back (ACKs, responses, a download's data) do not.
	fwd, err := m.Path(mode, placement, opt, costs)
	if errors.Is(err, calibration.ErrNoRuleCost) {
		return nil, keyed("calibration.profile", fmt.Errorf("%w (cni.policy_rules = %d with policy engine %s)", err, sc.CNI.PolicyRules, engine))
	}
	if err != nil {
		return nil, keyed("cni.plugin", err)
	}
	rev, err := m.ReturnPath(mode, placement, opt, costs)
	if err != nil {
		return nil, keyed("cni.plugin", err)
	}
	if err := checkStageCycles(sc, fwd, rev); err != nil {
		return nil, err
	}
	podMTU := sc.CNI.PodMTU
	if podMTU == 0 {
		if podMTU, err = m.PodMTU(mode, sc.Cluster.MTU, opt); err != nil {
			return nil, keyed("cni.pod_mtu", err)
		}
	}
	if podMTU < tcp.MinPodMTU {
		return nil, &scenario.FieldError{Key: "cluster.mtu", Msg: fmt.Sprintf("leaves a pod MTU of %d after %s's %d bytes of encapsulation, below the least %d (raise cluster.mtu or set cni.pod_mtu)",
			podMTU, m.Name, fwd.EncapBytes, tcp.MinPodMTU)}
	}
	// a full-sized packet's outer packet over the underlay MTU fragments
	// (or, with DF, is dropped: network.Config.DropOversize)
	for _, p := range []*datapath.CostedPath{&fwd, &rev} {
		p.Fragments = p.InterHost && !p.OuterDF && podMTU+p.EncapBytes > sc.Cluster.MTU
	}
	st := &Setup{Model: m, Mode: mode, Profile: prof, Options: opt, Forward: fwd, Reverse: rev, PodMTU: podMTU, GROFrameCycles: groFrame, GSOSegmentCycles: gsoSegment}
	if err := st.scaleFrames(sc); err != nil {
		return nil, err
	}
	return st, nil
}

// frameCosts resolves GRO's per-frame and software GSO's per-segment
// costs: the scenario's calibration.gro_frame_cycles and
// gso_segment_cycles when set, else the profile's entries for every
// frame, else the built-in measured values. It refuses a profile whose
// [[gro_frame]] or [[gso_segment]] names a device the devices table does
// not know.
func frameCosts(sc *scenario.Scenario, prof *calibration.Profile) (gro, gso float64, err error) {
	if len(prof.GROFrames)+len(prof.GSOSegments) > 0 {
		devs, err := cni.DeviceOffloads()
		if err != nil {
			return 0, 0, err
		}
		names := make([]string, len(devs))
		for i, d := range devs {
			names[i] = d.Device
		}
		for _, t := range []struct {
			table string
			list  []calibration.FrameCost
		}{{"gro_frame", prof.GROFrames}, {"gso_segment", prof.GSOSegments}} {
			for i, g := range t.list {
				if g.Device != "" && !slices.Contains(names, g.Device) {
					return 0, 0, keyed("calibration.profile", fmt.Errorf("profile %s: %s[%d].device %q is not a device (allowed: \"\" for every frame, or %s)",
						prof.Name, t.table, i, g.Device, strings.Join(names, ", ")))
				}
			}
		}
	}
	resolve := func(key float64, fromProfile func(string) (float64, bool), builtin float64) float64 {
		if key != scenario.FromProfile {
			return key
		}
		if c, ok := fromProfile(""); ok {
			return c
		}
		return builtin
	}
	gro = resolve(sc.Calibration.GROFrameCycles, prof.GROFrameCycles, network.DefaultGROFrameCycles)
	gso = resolve(sc.Calibration.GSOSegmentCycles, prof.GSOSegmentCycles, network.DefaultGSOSegmentCycles)
	return gro, gso, nil
}

// frameKind is one of the offloads' per-frame costs
// (calibration.FrameStages): where a Setup holds it resolved, a path's
// tunnel share of it, the scenario's key for it, the built-in value's
// provenance, and whether a path pays it.
type frameKind struct {
	stage   string
	cost    func(*Setup) *float64
	share   func(*datapath.CostedPath) *float64
	key     func(*scenario.Scenario) float64 // scenario.FromProfile: unset
	builtin string
	pays    func(*network.Config, datapath.CostedPath) bool
}

var frameKinds = []frameKind{
	{calibration.GROFrameStage, func(s *Setup) *float64 { return &s.GROFrameCycles }, func(p *datapath.CostedPath) *float64 { return &p.GROFrameExtra },
		func(sc *scenario.Scenario) float64 { return sc.Calibration.GROFrameCycles }, network.DefaultGROFrameSource, (*network.Config).MergesFrames},
	{calibration.GSOSegmentStage, func(s *Setup) *float64 { return &s.GSOSegmentCycles }, func(p *datapath.CostedPath) *float64 { return &p.GSOSegmentExtra },
		func(sc *scenario.Scenario) float64 { return sc.Calibration.GSOSegmentCycles }, network.DefaultGSOSegmentSource, (*network.Config).CutsSegments},
}

// scaleFrames applies calibration.scale.gro_frame and gso_segment to the
// resolved per-frame costs, the paths' tunnel shares included (the one
// place those factors apply: calibration.Profile.ScaleAll leaves them),
// refusing a product above the bounds.
func (st *Setup) scaleFrames(sc *scenario.Scenario) error {
	for _, f := range frameKinds {
		k := sc.Calibration.ScaleOf(f.stage)
		if k == 1 {
			continue
		}
		base := f.cost(st)
		*base *= k
		for _, p := range []*datapath.CostedPath{&st.Forward, &st.Reverse} {
			e := f.share(p)
			*e *= k
			if *base+*e > calibration.MaxFrameCycles {
				return keyed("calibration.scale."+f.stage, fmt.Errorf("x%v makes %v cycles per frame, above %g", k, *base+*e, float64(calibration.MaxFrameCycles)))
			}
		}
	}
	return nil
}

// Config builds the workload configuration of one replication.
func Config(sc *scenario.Scenario, seed uint64, rep int) (workload.Config, error) {
	st, err := Resolve(sc)
	if err != nil {
		return workload.Config{}, err
	}
	c := sc.Cluster
	cl := network.DefaultConfig()
	cl.Nodes, cl.CoresPerNode, cl.GHz, cl.LinkGbps = c.Nodes, c.CoresPerNode, c.CPUGHz, c.LinkGbps
	cl.LinkDelay = sim.FromDuration(c.LinkDelay)
	cl.MTU, cl.FrameOverhead, cl.QdiscLen, cl.Qdisc = c.MTU, c.FrameOverhead, c.QdiscPackets, c.Qdisc
	cl.FQCoDel = network.FQCoDel{Target: sim.FromDuration(c.FQCoDelTarget), Interval: sim.FromDuration(c.FQCoDelInterval),
		Limit: c.FQCoDelLimit, ECN: c.FQCoDelECN, CEThreshold: sim.FromDuration(c.FQCoDelCEThreshold)}
	cl.DropOversize = st.Forward.OuterDF
	cl.CPUJitter = c.CPUJitter
	cl.Offloads, cl.RSSInner, cl.RPS = c.Offloads, c.RSSInner, c.RPS
	lx := sc.Linux()
	cl.TBFBurstFrames, cl.TSQThroughFabric, cl.TSQOrphan = c.TBFBurstFrames, c.TSQThroughFabric, lx.TSQOrphan
	cl.GROFrameCycles = st.GROFrameCycles
	cl.GSOSegmentCycles = st.GSOSegmentCycles
	cl.FragmentCycles, cl.ReassembleCycles = sc.Calibration.FragmentCycles, sc.Calibration.ReassembleCycles
	cl.RxUsecs = sim.FromSeconds(c.RxUsecs * 1e-6)
	cl.WakeupLatency = sim.FromSeconds(c.WakeupUs * 1e-6)
	cl.TimeSlice = sim.FromSeconds(c.TimeSliceUs * 1e-6)
	cl.Fabric = sc.FabricConfig()
	if cl.NICOffloads, err = network.ParseNICOffloads(c.NICOffloads); err != nil {
		return workload.Config{}, keyed("cluster.nic_offloads", err)
	}
	cl.Streams = sim.Streams{Seed: seed, Replication: rep}
	w := sc.Workload
	launch, err := clientLaunch(sc)
	if err != nil {
		return workload.Config{}, err
	}
	svcs, err := services(sc, st)
	if err != nil {
		return workload.Config{}, err
	}
	var sizes *workload.FlowSizes
	if w.FlowSizes != "" {
		if sizes, err = workload.LoadFlowSizes(w.FlowSizes); err != nil {
			return workload.Config{}, keyed("workload.flow_sizes", err)
		}
	}
	var matrix *workload.Matrix
	if w.Pattern == workload.PatternMatrix {
		if matrix, err = workload.LoadMatrix(w.Matrix); err != nil {
			return workload.Config{}, keyed("workload.matrix", err)
		}
	}
	return workload.Config{
		Services:  svcs,
		Cluster:   cl,
		Placement: datapath.Placement(w.Placement),
		Forward:   st.Forward,
		Reverse:   st.Reverse,
		PodMTU:    st.PodMTU,
		TCP: tcp.Options{
			Congestion:  sc.TCP.Congestion,
			SynSchedule: sc.TCP.SynSchedule,
			RcvBuf:      int64(sc.TCP.Rmem),
			TSQBytes:    int64(sc.TCP.LimitOutputBytes),
			AckEvery:    sc.TCP.AckEvery,
			AckPolicy:   lx.AckPolicy,
			ECN:         sc.TCP.ECN,
			MinRTO:      sim.FromDuration(sc.TCP.MinRTO),
			HZ:          lx.HZ,
			RTOFromHead: lx.RTOFromHead,
			LinuxTSQ:    lx.LinuxTSQ,
			LinuxCubic:  lx.LinuxCubic,
		},
		Duration:    sim.FromDuration(sc.Duration),
		Warmup:      sim.FromDuration(sc.Warmup),
		Interval:    sim.FromDuration(sc.Timeline), // 0: the workload's default
		FlowLog:     sc.FlowLog,
		Seed:        seed,
		Replication: rep,
		Workload: workload.Workload{
			Kind:         w.Kind,
			Streams:      w.Streams,
			BulkStreams:  w.BulkStreams,
			RateMbps:     w.RateMbps,
			MessageBytes: w.MessageBytes,
			WriteBytes:   int64(w.WriteBytes),
			ReadBytes:    int64(w.ReadBytes),
			HTTP: workload.HTTP{
				FileBytes:   w.FileBytes,
				Client:      w.Client,
				Threads:     w.Threads,
				Connections: w.Connections,
				Server: workload.Server{
					Cores:            w.Server.Cores,
					CyclesPerRequest: w.Server.CyclesPerRequest,
					CyclesPerByte:    w.Server.CyclesPerByte,
				},
				SndBuf: int64(sc.TCP.Wmem),
			},
			Launch:        launch,
			Pattern:       w.Pattern,
			PodsPerNode:   w.PodsPerNode,
			IncastSenders: w.IncastSenders,
			RackLocal:     rackLocal(w.RackLocal, w.Pattern),
			FlowSizes:     sizes,
			Load:          w.Load,
			Matrix:        matrix,
			MatrixScale:   w.MatrixScale,
			QueryRate:     w.QueryRate,
			QueryFanIn:    w.QueryFanIn,
			QueryBytes:    w.QueryBytes,
			QueryFrom:     sim.FromDuration(w.QueryFrom),
			QueryUntil:    sim.FromDuration(w.QueryUntil),
			MeasureUntil:  sim.FromDuration(w.MeasureUntil),
			NodePortStyle: w.NodePortStyle,
		},
	}, nil
}

// Validate checks what only the model data can (plugin, mode, profile,
// overrides, that the MTU leaves room for the encapsulation, the
// workload's own limits, a pod launch's plugin parameters): it is Prepare
// without the run.
func Validate(sc *scenario.Scenario) error {
	_, err := Prepare(sc)
	return err
}

// fill maps a workload result onto the metric names of the results contract,
// setting only the metrics the workload measures (port_early_drops only with
// earlyDrops: the scenario's fabric.drop_not_ect; nic_ecn_marks only with
// fqCoDel: its cluster.qdisc).
func fill(s *run.Sample, r *workload.Result, earlyDrops, fqCoDel bool) {
	applies := map[string]bool{}
	for _, a := range r.Applies {
		applies[a] = true
	}
	set := func(name string, v float64) {
		if applies[name] {
			s.Set(name, v)
		}
	}
	set(results.ThroughputMbps, r.ThroughputMbps)
	set(results.ThroughputCurlMbps, r.ThroughputCurlMbps)
	set(results.ThroughputIperf3Mbps, r.ThroughputIperf3Mbps)
	set(results.TransactionsPerSec, r.TransactionsPerS)
	set(results.RequestsPerSec, r.RequestsPerS)
	set(results.CPUCoresUsed, r.CPUCoresUsed)
	set(results.CPPTotal, r.CPPTotal)
	set(results.FIBPer100kPackets, r.FIBLookupsPer100kPackets)
	set(results.Retransmissions, float64(r.Retransmissions))
	set(results.TCPTimeouts, float64(r.RTOs))
	set(results.TCPLossProbes, float64(r.TLPs))
	set(results.TCPReordered, float64(r.Reordered))
	if r.DataSegsRcvd > 0 {
		set(results.TCPAcksPerSegment, float64(r.AcksSent)/float64(r.DataSegsRcvd))
	}
	set(results.Drops, float64(r.Drops))
	if applies[results.Drops] {
		for i, d := range r.DropsByPlace() {
			s.SetGroup(results.DropsByPlace, workload.DropPlaces[i], float64(d))
		}
		if fqCoDel {
			s.Set(results.NICECNMarks, float64(r.Packets.QdiscMarks))
		}
	}
	set(results.ConnectSeconds, r.ConnectS)
	set(results.UDPLoss, r.LossFraction)
	set(results.UDPSentPerSec, r.SenderDatagramsPerS)
	if applies[results.CPUCoresUsedByNode] {
		for i, c := range r.CoresByContext {
			node := fmt.Sprintf("node%d", i)
			s.SetGroup(results.CPUCoresUsedByNode, node, r.CPUCoresUsedByNode[i])
			s.SetGroup(results.CPUCoresUsedByNode, node+"_softirq", c.Softirq)
			s.SetGroup(results.CPUCoresUsedByNode, node+"_process", c.Process)
			s.SetGroup(results.CPUCoresUsedByNode, node+"_daemon", c.Daemon)
		}
	}
	if applies[results.CyclesPerByte] {
		for i, v := range r.CyclesPerByte {
			s.SetGroup(results.CyclesPerByte, fmt.Sprintf("node%d", i), v)
		}
	}
	set(results.PodReadySeconds, r.PodReadyS)
	set(results.PodNetworkWaitSeconds, r.PodNetworkWaitS)
	fillServices(s, r, applies)
	fillPorts(s, r.Packets.Ports, earlyDrops)
	fillCluster(s, r, applies)
	// rtt_us is always a distribution: RR and wrk latencies per
	// transaction (at most MaxDistSamples per replication), or a stream's
	// mean RTT once per replication, so a sweep over workload kinds never
	// makes it two kinds of metric.
	if applies[results.RTTMicros] {
		if r.Latency != nil {
			st := r.Latency.Strata(MaxDistSamples)
			for i := range st {
				st[i] *= 1e6 // µs
			}
			s.Observe(results.RTTMicros, st...)
		} else {
			s.Observe(results.RTTMicros, r.RTTus)
		}
	}
	if applies[results.CPPByStage] {
		for _, k := range datapath.Kinds() {
			if v, ok := r.CPPByStage[k.String()]; ok {
				s.SetGroup(results.CPPByStage, k.String(), v)
			}
		}
	}
	if applies[results.CPUByContext] {
		for _, k := range slices.Sorted(maps.Keys(r.CPUByContext)) {
			s.SetGroup(results.CPUByContext, k, r.CPUByContext[k])
		}
	}
}

// checkStageCycles refuses a costed step dearer than calibration.MaxCycles
// per packet: each entry is bounded, but policy rules multiply the
// per-rule cost, a step's count its crossings, and one job past the bound could overflow the
// picosecond clock (experiments/scenario/bounds.go).
func checkStageCycles(sc *scenario.Scenario, paths ...datapath.CostedPath) error {
	for _, p := range paths {
		for _, st := range p.Steps {
			// all Count crossings of the largest IP packet (65535 bytes)
			c := float64(st.Count) * (st.Cycles + st.RuleCycles + st.CyclesPerByte*65535)
			if c <= calibration.MaxCycles {
				continue
			}
			if sc.CNI.PolicyRules > 0 {
				return &scenario.FieldError{Key: "cni.policy_rules", Value: fmt.Sprint(sc.CNI.PolicyRules), Msg: fmt.Sprintf("makes stage %s cost %.4g cycles per packet, more than the bound %g",
					st.Kind, c, float64(calibration.MaxCycles))}
			}
			return &scenario.FieldError{Key: "calibration.profile", Msg: fmt.Sprintf("stage %s costs %.4g cycles per packet, more than the bound %g", st.Kind, c, float64(calibration.MaxCycles))}
		}
	}
	return nil
}

// timeline turns a workload's series into the sample's named series: the
// cwnd only where there are long-lived senders, the network's six only
// where the workload sampled them, the finite flows' two only with them.
func timeline(ss []workload.Sample) map[string][]float64 {
	cols := results.TimelineColumns // t_s, goodput, cwnd, then the network's
	out := make(map[string][]float64, len(cols))
	add := func(i int, v float64) { out[cols[i]] = append(out[cols[i]], v) }
	for _, s := range ss {
		add(0, s.T)
		add(1, s.ThroughputMbps)
		if s.Senders > 0 {
			add(2, s.Cwnd)
		}
		if s.Net {
			for j, v := range []float64{s.Drops, s.DropsSwitch, s.DropsRxRing, s.DropsLink, s.FabricQueueBytes, s.CoresBusy} {
				add(3+j, v)
			}
		}
		if s.Flows {
			add(9, s.FlowsStarted)
			add(10, s.FCTMedianUs)
		}
	}
	return out
}

// rackLocal is workload.rack_local as the workload takes it: nil for -1
// (every other node equally likely) and for a pattern other than random,
// which ignores it (Warnings says so).
func rackLocal(f float64, pattern string) *float64 {
	if f < 0 || pattern != workload.PatternRandom {
		return nil
	}
	return &f
}

// StageCost is a stage a scenario's datapaths cross at a cost, and the
// profile entry that prices it there (calibration.cycles and .scale
// applied): its cycles per crossing and per byte at the profile's clock,
// its provenance (measured, quoted, derived, assumed) and source.
type StageCost struct {
	Stage string
	// Crossings: per data packet and its reply, forward and reverse
	// paths; for a frame stage (calibration.FrameStages) the paths whose
	// frames it merges or cuts, its Cycles charged per frame.
	Crossings             int
	Cycles, CyclesPerByte float64
	Provenance, Source    string
}

// Stages lists the stage kinds sc's datapaths cross at a cost (the
// client-to-server path and back, as Resolve costs them), in the kinds'
// canonical order, each with its entry's provenance, then
// calibration.RulesStage when policy rules or Services are walked (the
// provenances of the profile's [[rule_cost]] entries), then the offloads'
// per-frame costs the paths pay (frameStages): what `cnisim sensitivity`
// varies when not told, and where each number comes from.
func Stages(sc *scenario.Scenario) ([]StageCost, error) {
	st, err := Resolve(sc)
	if err != nil {
		return nil, err
	}
	crossed := map[datapath.Kind]int{}
	for _, p := range []datapath.CostedPath{st.Forward, st.Reverse} {
		for _, s := range p.Steps {
			if s.Cycles > 0 || s.CyclesPerByte > 0 || s.RuleCycles > 0 {
				crossed[s.Kind] += max(s.Count, 1)
			}
		}
	}
	var out []StageCost
	for _, k := range datapath.Kinds() {
		if crossed[k] == 0 {
			continue
		}
		c := StageCost{Stage: k.String(), Crossings: crossed[k]}
		if e, ok := st.Profile.Entry(k, st.Model.Name, st.Mode, datapath.Placement(sc.Workload.Placement)); ok {
			c.Cycles, c.CyclesPerByte, c.Provenance, c.Source = e.Cycles, e.CyclesPerByte, string(e.Provenance), e.Source
		}
		out = append(out, c)
	}
	// policy rules and Services' rules are priced by [[rule_cost]]
	if len(st.Profile.RuleCosts) > 0 && (sc.CNI.Policy && sc.CNI.PolicyRules > 0 || sc.Service.Count > 0) {
		var provs []string
		for _, r := range st.Profile.RuleCosts {
			if p := string(r.Provenance); !slices.Contains(provs, p) {
				provs = append(provs, p)
			}
		}
		slices.Sort(provs)
		out = append(out, StageCost{Stage: calibration.RulesStage, Provenance: strings.Join(provs, "/"),
			Source: "[[rule_cost]] entries: cnisim list profiles, or the profile file"})
	}
	frames, err := frameStages(sc, st)
	if err != nil {
		return nil, err
	}
	return append(out, frames...), nil
}

// frameStages are the offloads' per-frame costs sc's paths pay (Stages):
// calibration.GROFrameStage when GRO merges a path's frames, and
// GSOSegmentStage when software GSO cuts its super-packets, each with
// the cycles per frame of the first path that pays it (tunnel share
// included, calibration.scale applied) and where the number comes from:
// the scenario's key, the profile's entry, or the built-in measurement.
func frameStages(sc *scenario.Scenario, st *Setup) ([]StageCost, error) {
	nics, err := network.ParseNICOffloads(sc.Cluster.NICOffloads)
	if err != nil {
		return nil, keyed("cluster.nic_offloads", err)
	}
	cfg := &network.Config{Offloads: sc.Cluster.Offloads, NICOffloads: nics}
	var out []StageCost
	for _, f := range frameKinds {
		cycles := *f.cost(st)
		c := StageCost{Stage: f.stage}
		share := 0.0
		for _, p := range []*datapath.CostedPath{&st.Forward, &st.Reverse} {
			if !f.pays(cfg, *p) {
				continue
			}
			if c.Crossings++; c.Crossings == 1 {
				share = *f.share(p)
				c.Cycles = cycles + share
			}
		}
		if c.Crossings == 0 || cycles <= 0 {
			continue // with its cost at 0 the model charges nothing (compile)
		}
		switch e, ok := st.Profile.FrameCost(f.stage, ""); {
		case f.key(sc) != scenario.FromProfile:
			c.Provenance, c.Source = string(calibration.Assumed), "the scenario's calibration."+f.stage+"_cycles"
		case ok:
			c.Provenance, c.Source = string(e.Provenance), e.Source
		default:
			c.Provenance, c.Source = string(calibration.Measured), f.builtin
		}
		if share > 0 {
			c.Source = fmt.Sprintf("%s; plus %.4g cycles for the tunnel's headers (the profile's [[%s]] entry for its device, else models/cni/devices/devices.toml)",
				c.Source, share, f.stage)
		}
		if x := sc.Calibration.ScaleOf(f.stage); x != 1 {
			c.Source = calibration.ScaledSource(c.Source, x)
		}
		out = append(out, c)
	}
	return out, nil
}
