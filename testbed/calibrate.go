package testbed

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

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
// br_netfilter no longer runs the iptables hooks on bridged frames, so the
// intra-host bridge graph's one netfilter step (cni0's, "br_netfilter sees
// bridged traffic" in models/cni/models/flannel.toml) is not crossed. Keeping
// it would make the pooled netfilter cost of rule-free configurations the
// mean of a hook that runs and one that does not.
func withoutBridgeNetfilter(x datapath.Crossings) datapath.Crossings {
	x.Data[datapath.Netfilter], x.Ack[datapath.Netfilter] = 0, 0
	x.Write[datapath.Netfilter], x.Read[datapath.Netfilter], x.Wake[datapath.Netfilter] = 0, 0, 0
	return x
}

// Calibrated is one configuration's perf analysis and calibration.
type Calibrated struct {
	M   *Measurement
	Res *perf.Result
	Cal *perf.Calibration
}

// CalibrateAll analyses every modelled configuration's perf script in
// dir (only the traffic's comms, the recorded CPU, cpu-clock at the run's
// GHz) and calibrates it with perf.Calibrate against its model graph's
// crossings. A configuration no built-in graph fits (Unmodelled) is left
// out: Unmodelled lists them with the reason.
//
// The calls and wake-ups the window counted (Measurement.Writes, Reads,
// Wakeups) are recorded but not given to the calibration, which assumes one
// of each per data packet: the paced stream makes one 128 KiB write, one
// read and two wake-ups per ~90 data packets, and the cycles perf puts in
// the syscall and sched stages grow with the bytes of the call (release_sock's
// backlog of ACKs, the send loop's skb work), so dividing them by the calls
// gives ~27k cycles per call and ~42k per wake-up, which over-predicts a
// 1-byte TCP_RR about 4x. Pricing per call needs a per-call and a
// per-packet part fitted together (a stream and an RR measurement of the
// same path: the RR scripts are now recorded); until then, per packet is
// the better transfer to RR.
func CalibrateAll(r *Run, dir string) ([]Calibrated, error) {
	var out []Calibrated
	for i := range r.Configs {
		m := &r.Configs[i]
		if m.Config.Unmodelled != "" {
			continue
		}
		res, err := perf.AnalyzeFile(filepath.Join(dir, m.Script), perf.Options{Packets: m.DataPackets, CPUGHz: r.CPUGHz,
			Event: perf.EventCPUClock, CPUs: []int{r.CPU}, Comms: m.Comms})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Config.Name, err)
		}
		x, err := Crossings(m.Config)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Config.Name, err)
		}
		cal, err := perf.Calibrate(res, perf.Counters{Packets: m.DataPackets, Bytes: m.PayloadBytes, Acks: m.AckPackets}, &x,
			perf.ProfileOptions{Name: m.Config.Name, Plugin: m.Config.Plugin, Mode: m.Config.Mode, Placement: m.Config.Placement})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Config.Name, err)
		}
		out = append(out, Calibrated{M: m, Res: res, Cal: cal})
	}
	return out, nil
}

// Point reduces a calibration to the stages' cycles and units per data
// packet, as the simulator charges them (perf.Predict): a per-crossing
// stage's units are Data + A/D x Ack plus its calls and wake-ups per data
// packet, a per-byte stage's the IP bytes (B/D + H) x Data + H x A/D x Ack.
func (c Calibrated) Point() Point {
	p := Point{Name: c.M.Config.Name, Engine: c.M.Config.Engine, Rules: c.M.Config.Rules, CPP: c.Cal.MeasuredCPP, Stages: map[string]Use{}}
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
	return p
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

func names(r *Run) string {
	var n []string
	for _, m := range r.Configs {
		if m.Config.Unmodelled == "" {
			n = append(n, m.Config.Name)
		}
	}
	return strings.Join(n, ", ")
}
