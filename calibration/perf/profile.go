package perf

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/datapath"
)

// ProfileOptions label the profile made from a Result.
type ProfileOptions struct {
	Name        string // profile name; "" gives "perf"
	Description string
	// Plugin, Mode and Placement restrict every entry (see
	// calibration.Profile.Cost); empty means any.
	Plugin, Mode, Placement string
	// PerByte are the stages whose cost is per payload byte when the bytes
	// are known (Counters.Bytes > 0); nil means DefaultPerByte.
	PerByte []datapath.Kind
}

// DefaultPerByte are the stages that touch every payload byte: the copy
// between the application and socket buffers (with the checksum folded
// into it) and encryption. userspace stays per packet: an encapsulation
// daemon's system calls and wake-ups, not its copies, dominate it.
var DefaultPerByte = []datapath.Kind{datapath.SocketCopy, datapath.Encrypt}

// Counters are what the node's counters said about the recording.
type Counters struct {
	Packets int64 // D: data packets sent during the recording (> 0)
	Bytes   int64 // B: payload bytes those packets carried; 0: unknown (no per-byte costs)
	Acks    int64 // A: pure ACK packets on the measured node
	// HeaderBytes are the IP and transport header bytes of every packet
	// (H; 0 means datapath.TCPIPOverhead, IPv4 + TCP with timestamps). A per-byte
	// stage touches a packet's IP bytes, as the simulator charges it: a
	// data packet's payload plus H, a pure ACK's H.
	HeaderBytes int
	// Writes, Reads and Wakeups are the application's send calls, read
	// calls and wake-ups on the measured node during the recording (perf
	// stat -e syscalls:sys_enter_sendto,...,sched:sched_wakeup, or known from
	// the traffic: a 64 KiB write per call). The per-call and per-wake-up
	// stages (datapath/calls.go: syscall and sched in the application's
	// contexts) are divided by them. 0: unknown, one per data packet
	// assumed (a warning says so).
	Writes, Reads, Wakeups int64
	// WriterWakeups are the wake-ups of the application's writer among
	// them (a paced writer's sleeps, a full send buffer), priced by the
	// writer's sched step (datapath.PerWriterWake) and taken from Wakeups
	// (which then counts the reader's alone); 0: none counted, every
	// wake-up the reader's.
	WriterWakeups int64
}

// rates returns the events per data packet, with one call or wake-up per
// data packet where a count is unknown (0), and whether any was.
func (c Counters) rates() (datapath.Rates, bool) {
	D := float64(c.Packets)
	r := datapath.OnePerPacket(float64(c.Acks) / D)
	unknown := false
	for _, v := range []struct {
		n   int64
		dst *float64
	}{{c.Writes, &r.Writes}, {c.Reads, &r.Reads}, {c.Wakeups, &r.Wakeups}} {
		if v.n > 0 {
			*v.dst = float64(v.n) / D
		} else {
			unknown = true
		}
	}
	if w := min(c.WriterWakeups, c.Wakeups); w > 0 {
		r.WriterWakeups = float64(w) / D
		r.Wakeups -= r.WriterWakeups
	}
	return r, unknown
}

// writerWakeText is the writer's share of a per-call stage's source
// text, empty when no writer's wake-up was counted (as before it was).
func writerWakeText(crossings, rate float64) string {
	if rate == 0 {
		return ""
	}
	return fmt.Sprintf(", writer's wake %g x %.6g", crossings, rate)
}

// header returns H.
func (c Counters) header() float64 {
	if c.HeaderBytes > 0 {
		return float64(c.HeaderBytes)
	}
	return datapath.TCPIPOverhead
}

// StageCost is one stage's calibration: where its cycles came from and
// what one crossing (or byte) costs.
type StageCost struct {
	Stage    string  `json:"stage"`
	Measured float64 `json:"measured_cycles"` // attributed by the rules
	Spread   float64 `json:"spread_cycles"`   // its part of the unattributed cycles
	Folded   float64 `json:"folded_cycles"`   // its part of stages the configuration does not cross; minus what a folded stage gave away
	// DataCrossings and AckCrossings are per data packet and per pure
	// ACK (datapath.Crossings); Crossings = D x Data + A x Ack.
	DataCrossings float64 `json:"data_crossings"`
	AckCrossings  float64 `json:"ack_crossings"`
	// CallCrossings are the crossings of the calls and wake-ups per data
	// packet (datapath.Crossings.Calls at the counters' rates).
	CallCrossings float64 `json:"call_crossings,omitempty"`
	Crossings     float64 `json:"crossings"`
	Cycles        float64 `json:"cycles"`          // per crossing
	CyclesPerByte float64 `json:"cycles_per_byte"` // per IP byte of every crossing (data and ACK)
}

// Calibration is a profile calibrated from a Result, with the arithmetic.
type Calibration struct {
	Profile        *calibration.Profile
	Stages         []StageCost // canonical kind order; only stages with cycles or crossings
	Counters       Counters
	AcksPerPacket  float64 // A / D
	BytesPerPacket float64 // B / D
	MeasuredCPP    float64 // busy cycles / D
	PredictedCPP   float64 // Predict on the written profile: equals MeasuredCPP up to rounding
	Warnings       []string
}

// Profile turns the result into a generic profile: one crossing of each
// stage perf saw per data packet, no ACKs, no per-byte costs (Calibrate
// with only the packets).
func (r *Result) Profile(o ProfileOptions) (*calibration.Profile, error) {
	c, err := Calibrate(r, Counters{Packets: r.Packets}, nil, o)
	if err != nil {
		return nil, err
	}
	return c.Profile, nil
}

// Calibrate turns a Result into per-crossing costs that make the simulator
// charge the measured cycles, with one definition of crossings
// (datapath.Crossings: Data per data packet, Ack per pure ACK):
//
//	c_k   = C_k / (D x Data[k] + A x Ack[k])       per crossing
//	cpb_k = C_k / (B x Data[k])                    per byte, stages in PerByte when B > 0 (ACKs carry no payload)
//
// where C_k is stage k's cycles after two stated rules, both in proportion
// to the attributed cycles of the receiving stages (so nothing is dropped
// and the split perf measured is kept):
//   - the unattributed cycles are spread over the attributed stages;
//   - a stage perf saw that the configuration does not cross on the node
//     is folded into the crossed stages (a warning names it and its share).
//
// x nil means no configuration: one crossing per data packet of every
// stage perf saw, ACKs not modelled (a warning says so). The result's
// PredictedCPP is Predict on the profile: sum_k c_k (Data[k] + A/D Ack[k])
// + cpb_k B/D Data[k], which equals the busy cycles per data packet.
func Calibrate(r *Result, cnt Counters, x *datapath.Crossings, o ProfileOptions) (*Calibration, error) {
	if err := cnt.check(); err != nil {
		return nil, err
	}
	cal := &Calibration{Counters: cnt, MeasuredCPP: r.TotalCycles / float64(cnt.Packets),
		AcksPerPacket: float64(cnt.Acks) / float64(cnt.Packets), BytesPerPacket: float64(cnt.Bytes) / float64(cnt.Packets)}
	var measured [datapath.NumKinds]float64
	unattributed := 0.0
	for _, s := range r.Stages {
		if k, err := datapath.ParseKind(s.Stage); err == nil {
			measured[k] += s.Cycles
		} else {
			unattributed += s.Cycles
		}
	}
	var cross datapath.Crossings
	if x != nil {
		if err := validCrossings(x); err != nil {
			return nil, err
		}
		cross = *x
	} else {
		for k, c := range measured {
			if c > 0 {
				cross.Data[k] = 1
			}
		}
		if cnt.Acks > 0 {
			cal.Warnings = append(cal.Warnings, "no configuration (--plugin): one crossing per data packet of every stage perf saw; ACKs are not modelled, so --acks is reported but not used")
		}
	}
	D, A, B := float64(cnt.Packets), float64(cnt.Acks), float64(cnt.Bytes)
	rates, unknown := cnt.rates()
	calls := func(k int) float64 { return D * cross.Calls(datapath.Kind(k), rates) }
	crossed := func(k int) bool { return D*cross.Data[k]+A*cross.Ack[k]+calls(k) > 0 }
	if x != nil && unknown {
		for k := range datapath.NumKinds {
			if cross.Write[k]+cross.Read[k]+cross.Wake[k] > 0 {
				cal.Warnings = append(cal.Warnings, fmt.Sprintf(
					"send calls, read calls or wake-ups not counted: one per data packet assumed for the per-call stages (writes %d, reads %d, wakeups %d; 0 = unknown)",
					cnt.Writes, cnt.Reads, cnt.Wakeups))
				break
			}
		}
	}
	attributed, crossedSum := 0.0, 0.0
	for k, c := range measured {
		attributed += c
		if crossed(k) {
			crossedSum += c
		}
	}
	if attributed == 0 {
		return nil, fmt.Errorf("no busy cycles were attributed to a stage (unattributed %.1f%%): nothing to calibrate; extend the symbol map (--map)", 100*r.UnattributedShare)
	}
	if crossedSum == 0 {
		return nil, errors.New("perf attributed no cycles to any stage the configuration crosses on the measured node: check --plugin/--mode/--placement/--node")
	}
	folded := 0.0
	var foldedNames []string
	for k, c := range measured {
		if c > 0 && !crossed(k) {
			folded += c * (1 + unattributed/attributed)
			foldedNames = append(foldedNames, fmt.Sprintf("%s (%.1f%%)", datapath.Kind(k), 100*c/r.TotalCycles))
		}
	}
	if len(foldedNames) > 0 {
		cal.Warnings = append(cal.Warnings, fmt.Sprintf("the configuration does not cross %s on the measured node: folded into the crossed stages in proportion to their cycles",
			strings.Join(foldedNames, ", ")))
	}
	perByte := o.PerByte
	if perByte == nil {
		perByte = DefaultPerByte
	}
	p := &calibration.Profile{Name: cmp.Or(o.Name, "perf"), GHz: r.CPUGHz, Description: cmp.Or(o.Description, fmt.Sprintf(
		"derived from perf script (sha256 %s): %d data packets, %d payload bytes, %d ACKs; %s at %g GHz; unattributed %.1f%% of busy cycles spread",
		r.InputSHA256, cnt.Packets, cnt.Bytes, cnt.Acks, r.Event, r.CPUGHz, 100*r.UnattributedShare))}
	for k := range datapath.NumKinds {
		kind := datapath.Kind(k)
		if measured[k] == 0 && !crossed(k) {
			continue
		}
		sc := StageCost{Stage: kind.String(), Measured: measured[k], DataCrossings: cross.Data[k], AckCrossings: cross.Ack[k]}
		sc.Spread = measured[k] * unattributed / attributed
		if !crossed(k) {
			sc.Folded = -(sc.Measured + sc.Spread)
			cal.Stages = append(cal.Stages, sc)
			continue
		}
		sc.Folded = folded * measured[k] / crossedSum
		total := sc.Measured + sc.Spread + sc.Folded
		sc.CallCrossings = cross.Calls(kind, rates)
		sc.Crossings = D*cross.Data[k] + A*cross.Ack[k] + calls(k)
		var src strings.Builder
		fmt.Fprintf(&src, "perf III.1: stage %s %.6g cycles of %.6g busy", kind, sc.Measured, r.TotalCycles)
		if sc.Spread > 0 {
			fmt.Fprintf(&src, " + %.6g unattributed spread in proportion (%.6g x %.6g / %.6g)", sc.Spread, unattributed, sc.Measured, attributed)
		}
		if sc.Folded > 0 {
			fmt.Fprintf(&src, " + %.6g of uncrossed stages folded in proportion (%.6g x %.6g / %.6g)", sc.Folded, folded, sc.Measured, crossedSum)
		}
		fmt.Fprintf(&src, " = %.6g cycles", total)
		if slices.Contains(perByte, kind) && B > 0 && cross.Data[k] > 0 && sc.CallCrossings == 0 {
			H := cnt.header()
			ipBytes := (B+H*D)*cross.Data[k] + H*A*cross.Ack[k]
			sc.CyclesPerByte = total / ipBytes
			fmt.Fprintf(&src, "; per IP byte: / ((%d payload bytes + %g x %d data packets) x %g data crossings + %g x %d ACKs x %g ACK crossings = %.6g bytes) = %.6g cycles/byte",
				cnt.Bytes, H, cnt.Packets, cross.Data[k], H, cnt.Acks, cross.Ack[k], ipBytes, sc.CyclesPerByte)
		} else if sc.CallCrossings > 0 {
			sc.Cycles = total / sc.Crossings
			fmt.Fprintf(&src, "; per call or wake-up: / (%d data packets x %g + %d ACKs x %g + %d data packets x %.6g per-call crossings (write %g x %.6g, read %g x %.6g, wake %g x %.6g per packet%s) = %.6g) = %.6g cycles",
				cnt.Packets, cross.Data[k], cnt.Acks, cross.Ack[k], cnt.Packets, sc.CallCrossings,
				cross.Write[k], rates.Writes, cross.Read[k], rates.Reads, cross.Wake[k], rates.Wakeups, writerWakeText(cross.WriterWake[k], rates.WriterWakeups), sc.Crossings, sc.Cycles)
		} else {
			sc.Cycles = total / sc.Crossings
			fmt.Fprintf(&src, "; per crossing: / (%d data packets x %g + %d ACKs x %g = %.6g crossings) = %.6g cycles",
				cnt.Packets, cross.Data[k], cnt.Acks, cross.Ack[k], sc.Crossings, sc.Cycles)
		}
		fmt.Fprintf(&src, "; input sha256 %s; event %s at %g GHz; mapping %s", r.InputSHA256, r.Event, r.CPUGHz, r.Mapping)
		cal.Stages = append(cal.Stages, sc)
		p.Costs = append(p.Costs, calibration.Entry{
			Stage: kind.String(), Cycles: sc.Cycles, CyclesPerByte: sc.CyclesPerByte,
			Plugin: o.Plugin, Mode: o.Mode, Placement: o.Placement,
			Provenance: calibration.Derived, Source: src.String(),
		})
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	cal.Profile = p
	pred, err := PredictAt(p, o.Plugin, o.Mode, datapath.Placement(o.Placement), cross, rates, cal.BytesPerPacket, cnt.header())
	if err != nil {
		return nil, err
	}
	cal.PredictedCPP = pred
	return cal, nil
}

// Predict returns the cycles per data packet that a profile charges on a
// node with crossings x, acksPerPacket pure ACKs and bytesPerPacket
// payload bytes per data packet, every packet carrying headerBytes of IP and
// transport headers, as the simulator charges them (per-byte costs on the IP
// bytes of every crossing):
//
//	sum_k c_k x (Data[k] + acksPerPacket x Ack[k])
//	    + cpb_k x ((bytesPerPacket + headerBytes) x Data[k] + headerBytes x acksPerPacket x Ack[k])
//
// A crossed stage without a cost is an error naming it.
func Predict(src datapath.CostSource, plugin, mode string, placement datapath.Placement, x datapath.Crossings, acksPerPacket, bytesPerPacket, headerBytes float64) (float64, error) {
	return PredictAt(src, plugin, mode, placement, x, datapath.OnePerPacket(acksPerPacket), bytesPerPacket, headerBytes)
}

// PredictAt is Predict at the given ACK, call and wake-up rates per data
// packet: the per-call and per-wake-up crossings (x.Write, x.Read, x.Wake)
// are paid that often, per crossing only (the simulator charges no
// per-byte cost on them: the bytes a call moves are socket_copy's).
func PredictAt(src datapath.CostSource, plugin, mode string, placement datapath.Placement, x datapath.Crossings, r datapath.Rates, bytesPerPacket, headerBytes float64) (float64, error) {
	acksPerPacket := r.Acks
	sum := 0.0
	for k := range datapath.NumKinds {
		n := x.At(datapath.Kind(k), r)
		if n == 0 {
			continue
		}
		c, cpb, ok := src.Cost(datapath.Kind(k), plugin, mode, placement)
		if !ok {
			return 0, fmt.Errorf("no cost for stage %s (plugin %q, mode %q, placement %q)", datapath.Kind(k), plugin, mode, placement)
		}
		sum += c*n + cpb*((bytesPerPacket+headerBytes)*x.Data[k]+headerBytes*acksPerPacket*x.Ack[k])
	}
	return sum, nil
}

func (c Counters) check() error {
	var errs []error
	if c.Packets <= 0 {
		errs = append(errs, fmt.Errorf("packets must be > 0 (the data packets sent during the recording), got %d", c.Packets))
	}
	if c.Bytes < 0 {
		errs = append(errs, fmt.Errorf("bytes must be >= 0 (payload bytes of the data packets), got %d", c.Bytes))
	}
	if c.Acks < 0 {
		errs = append(errs, fmt.Errorf("acks must be >= 0 (pure ACKs on the measured node), got %d", c.Acks))
	}
	return errors.Join(errs...)
}

// validCrossings checks a configuration's crossings (finite, >= 0).
func validCrossings(x *datapath.Crossings) error {
	for k := range datapath.NumKinds {
		for _, v := range []float64{x.Data[k], x.Ack[k], x.Write[k], x.Read[k], x.Wake[k]} {
			if !(v >= 0) || math.IsInf(v, 0) {
				return fmt.Errorf("crossings of %s must be finite numbers >= 0, got %v", datapath.Kind(k), v)
			}
		}
	}
	return nil
}
