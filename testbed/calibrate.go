package testbed

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/cnisim/cnisim/calibration/perf"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
)

// Crossings returns the crossings of c's model graph on the recorded CPU:
// an intra-host graph's one node; an inter-host graph's source and
// destination nodes summed, since both "nodes" of the testbed run on the
// one CPU (each data packet crosses the source's steps and the
// destination's, each ACK the reverse).
func Crossings(c Config) (datapath.Crossings, error) {
	m, err := cni.Builtin(c.Plugin)
	if err != nil {
		return datapath.Crossings{}, err
	}
	pl := datapath.Placement(c.Placement)
	dst, err := m.NodeCrossings(c.Mode, pl, cni.PathOptions{}, datapath.Dst)
	if err != nil || pl == datapath.Intra {
		if c.Family == "bridge-nf0" {
			dst = withoutBridgeNetfilter(dst)
		}
		return dst, err
	}
	src, err := m.NodeCrossings(c.Mode, pl, cni.PathOptions{}, datapath.Src)
	if err != nil {
		return dst, err
	}
	for k := range datapath.NumKinds {
		dst.Data[k] += src.Data[k]
		dst.Ack[k] += src.Ack[k]
		dst.Write[k] += src.Write[k]
		dst.Read[k] += src.Read[k]
		dst.Wake[k] += src.Wake[k]
	}
	if c.Family == "esp" {
		dst = withESP(dst)
	}
	return dst, nil
}

// withoutBridgeNetfilter is the bridge graph with bridge-nf-call-iptables=0:
// br_netfilter no longer runs on bridged frames, nor the iptables hooks it
// calls, so the intra-host bridge graph's br_netfilter and netfilter steps
// (cni0's, models/cni/models/flannel.toml) are not crossed. Keeping them
// would make their pooled costs the mean of hooks that run and hooks that
// do not.
func withoutBridgeNetfilter(x datapath.Crossings) datapath.Crossings {
	for _, k := range []datapath.Kind{datapath.Netfilter, datapath.BrNetfilter} {
		x.Data[k], x.Ack[k], x.Write[k], x.Read[k], x.Wake[k] = 0, 0, 0, 0, 0
	}
	return x
}

// Calibrated is one configuration's perf analysis and calibration: its
// TCP stream's, and where the run counted the RR run's context switches
// (Measurement.RRWakeups), its TCP_RR run's against the same graph.
type Calibrated struct {
	M   *Measurement
	Res *perf.Result
	Cal *perf.Calibration
	RR  *perf.Calibration  // nil in runs recorded before the RR switches were counted
	X   datapath.Crossings // the model graph's crossings both were calibrated against (Crossings)
}

// CalibrateAll analyses every modelled configuration's perf script in
// dir (only the traffic's comms, the recorded CPU, cpu-clock at the run's
// GHz) and calibrates it with perf.Calibrate against its model graph's
// crossings. A configuration no built-in graph fits (Unmodelled) is left
// out: Unmodelled lists them with the reason.
//
// The stream is calibrated with one call and one wake-up per data packet
// (perf.Counters without Writes): the cycles perf puts in the syscall and
// sched stages of a paced stream grow with its packets (release_sock's
// backlog, the socket lock per skb, a wake-up attempt per packet), not with
// its ~90-packet writes. Where the run recorded the TCP_RR run too, Point
// splits them into a per-call and a per-packet part from the two
// (splitCalls).
func CalibrateAll(r *Run, dir string) ([]Calibrated, error) {
	var out []Calibrated
	for i := range r.Configs {
		m := &r.Configs[i]
		if m.Config.Unmodelled != "" {
			continue
		}
		x, err := Crossings(m.Config)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Config.Name, err)
		}
		opt := perf.ProfileOptions{Name: m.Config.Name, Plugin: m.Config.Plugin, Mode: m.Config.Mode, Placement: m.Config.Placement}
		c := Calibrated{M: m, X: x}
		if c.Res, c.Cal, err = calibrateScript(r, dir, m.Script, m, perf.Counters{Packets: m.DataPackets, Bytes: m.PayloadBytes, Acks: m.AckPackets}, &c.X, opt); err != nil {
			return nil, fmt.Errorf("%s: %w", m.Config.Name, err)
		}
		if m.RRWakeups > 0 && m.RRScript != "" && m.RRTransactions > 0 {
			// A transaction: two 1-byte data packets (request, response,
			// each carrying the ACK of the other: no pure ACKs, assumed),
			// two send calls and two read calls (the generator's loop), and
			// the context switches counted.
			t := m.RRTransactions
			cnt := perf.Counters{Packets: 2 * t, Bytes: 2 * t, Writes: 2 * t, Reads: 2 * t, Wakeups: m.RRWakeups}
			if _, c.RR, err = calibrateScript(r, dir, m.RRScript, m, cnt, &c.X, opt); err != nil {
				return nil, fmt.Errorf("%s TCP_RR: %w", m.Config.Name, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// calibrateScript analyses one perf script of the run and calibrates it.
func calibrateScript(r *Run, dir, script string, m *Measurement, cnt perf.Counters, x *datapath.Crossings, opt perf.ProfileOptions) (*perf.Result, *perf.Calibration, error) {
	cpus := m.CPUs
	if len(cpus) == 0 {
		cpus = []int{r.CPU}
	}
	res, err := perf.AnalyzeFile(filepath.Join(dir, script), perf.Options{Packets: cnt.Packets, CPUGHz: r.CPUGHz,
		Event: perf.EventCPUClock, CPUs: cpus, Comms: m.Comms})
	if err != nil {
		return nil, nil, err
	}
	cal, err := perf.Calibrate(res, cnt, x, opt)
	return res, cal, err
}

// Point reduces a calibration to the stages' cycles and units per data
// packet, as the simulator charges them (perf.Predict): a per-crossing
// stage's units are Data + A/D x Ack plus its calls and wake-ups per data
// packet, a per-byte stage's the IP bytes (B/D + H) x Data + H x A/D x Ack.
// With an RR calibration, syscall and sched are split (splitCalls).
func (c Calibrated) Point() Point {
	p := Point{Name: c.M.Config.Name, Engine: c.M.Config.Engine, Rules: c.M.Config.Rules, CPP: c.Cal.MeasuredCPP, CPUs: c.M.Config.CPUs, Stages: map[string]Use{}}
	D := float64(c.Cal.Counters.Packets)
	a, b, h := c.Cal.AcksPerPacket, c.Cal.BytesPerPacket, float64(datapath.TCPIPOverhead)
	for _, s := range c.Cal.Stages {
		if s.Crossings == 0 {
			continue // folded into the crossed stages
		}
		k, _ := datapath.ParseKind(s.Stage)
		u, perByte := s.DataCrossings+a*s.AckCrossings+s.CallCrossings, false
		if slices.Contains(perf.DefaultPerByte, k) && b > 0 && s.DataCrossings > 0 && s.CallCrossings == 0 {
			u, perByte = (b+h)*s.DataCrossings+h*a*s.AckCrossings, true
		}
		use := Use{Cycles: (s.Measured + s.Spread + s.Folded) / D, Units: u, PerByte: perByte}
		if k == datapath.Encrypt && perByte {
			use.Crossings = s.DataCrossings + a*s.AckCrossings
		}
		p.Stages[s.Stage] = use
	}
	if c.RR != nil && c.M.Writes > 0 && c.M.Wakeups > 0 {
		p.splitCalls(c)
	}
	return p
}

// CallSplit is one stage's cycles per call (syscall) or per wake-up
// (sched), and the per-packet cycles of the stream moved to tcp.
type CallSplit struct {
	PerEvent  float64 `json:"per_event"`
	PerPacket float64 `json:"per_packet"` // per stream data packet, moved to tcp
}

// splitCalls prices syscall per call and sched per wake-up from the two
// measurements of one path: the stream (s cycles of the stage per data
// packet, u calls or wake-ups per data packet: 128 KiB writes, ~0.02) and
// the TCP_RR run (r cycles per data packet, v per data packet: 2 calls,
// ~1 switch). With per-packet part q and per-event cost e, s = q + u e and
// r = q + v e, so e = (r - s) / (v - u), q = s - u e: the same per-packet
// work in both, the calls and switches the RR adds paying for the rest.
// e is clamped at 0 (an RR cheaper per packet than the stream prices no
// calls). The stream's stage keeps u e at u units; q goes to tcp (the
// socket layer's per-packet work: the lock per skb, a wake-up attempt per
// packet), so the stream's cycles per packet are unchanged.
func (p *Point) splitCalls(c Calibrated) {
	rates := c.M.streamRates(0)
	D := float64(c.RR.Counters.Packets)
	rr := datapath.Rates{Writes: float64(c.RR.Counters.Writes) / D, Reads: float64(c.RR.Counters.Reads) / D, Wakeups: float64(c.RR.Counters.Wakeups) / D}
	tcp, ok := p.Stages[tcpStage]
	if !ok {
		return
	}
	for _, st := range c.RR.Stages {
		k, _ := datapath.ParseKind(st.Stage)
		if k != datapath.Syscall && k != datapath.Sched {
			continue
		}
		use, ok := p.Stages[st.Stage]
		u, v := c.X.Calls(k, rates), c.X.Calls(k, rr)
		if !ok || !(v > u) {
			continue
		}
		r := (st.Measured + st.Spread + st.Folded) / D
		e := max((r-use.Cycles)/(v-u), 0)
		q := use.Cycles - u*e
		p.Stages[st.Stage] = Use{Cycles: u * e, Units: u}
		tcp.Cycles += q
		if p.Calls == nil {
			p.Calls = map[string]CallSplit{}
		}
		p.Calls[st.Stage] = CallSplit{PerEvent: e, PerPacket: q}
	}
	p.Stages[tcpStage] = tcp
}

// Points returns the Points of calibrations in order.
func Points(cs []Calibrated) []Point {
	ps := make([]Point, len(cs))
	for i, c := range cs {
		ps[i] = c.Point()
	}
	return ps
}

// Unmodelled lists the run's configurations that no built-in graph fits,
// with the reason: measured, but neither calibrated nor predicted.
func Unmodelled(r *Run) []Skip {
	var out []Skip
	for _, m := range r.Configs {
		if m.Config.Unmodelled != "" {
			out = append(out, Skip{Name: m.Config.Name, Reason: m.Config.Unmodelled})
		}
	}
	return out
}

// describe is the provenance of a run: command, date, kernel, CPU.
func (r *Run) describe() string {
	return fmt.Sprintf("command %q, %s, kernel %s, CPU %q at %.3f GHz (%s), CPU %d, %s, load average %s",
		r.Command, r.Date, r.Kernel, r.CPUModel, r.CPUGHz, r.GHzFrom, r.CPU, r.Perf, r.Loadavg)
}

// streamRates are the stream window's pure ACKs (acks per data packet, as
// given), send calls, read calls and wake-ups per data packet; one of each
// per data packet in runs that did not count them (datapath.OnePerPacket).
func (m *Measurement) streamRates(acks float64) datapath.Rates {
	if m.Writes <= 0 || m.Reads <= 0 || m.Wakeups <= 0 || m.DataPackets <= 0 {
		return datapath.OnePerPacket(acks)
	}
	d := float64(m.DataPackets)
	return datapath.Rates{Acks: acks, Writes: float64(m.Writes) / d, Reads: float64(m.Reads) / d, Wakeups: float64(m.Wakeups) / d}
}
