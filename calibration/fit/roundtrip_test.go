package fit

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/cnisim/cnisim/models/cni"
	dp "github.com/cnisim/cnisim/models/datapath"
)

// known is a profile to recover: a cost per crossing for every stage kind
// (generic ones included) and per-byte costs for the byte stages.
func known() (perCrossing [dp.NumKinds]float64, perByte map[dp.Kind]float64) {
	for k := range perCrossing {
		perCrossing[k] = 40 + 37*float64(k) // distinct, all > 0
	}
	perCrossing[dp.Netfilter], perCrossing[dp.VXLAN] = 1467, 900
	return perCrossing, map[dp.Kind]float64{dp.SocketCopy: 0.2, dp.Encrypt: 3.5, dp.Userspace: 0.25}
}

// modelled is the CPP a row's configuration costs under the known profile,
// as the simulator charges it, in total and for stage k alone.
func modelled(c Config, acks, bytes float64, k dp.Kind) float64 {
	pc, pb := known()
	x := Crossings(c)
	return pc[k]*x.PerData(k, acks) + pb[k]*(bytes*x.Data[k]+acks*dp.TCPIPOverhead*x.Ack[k])
}

// Crossings returns a configuration's crossings (a test shorthand).
func Crossings(c Config) dp.Crossings { return c.Crossings }

// roundTripRows measures every built-in plugin, mode and placement (with
// and without encryption where the mode has it) at two MTUs and two ACK
// ratios through ModelConfigs, the crossings the CLI uses. perStage lists
// the stages a perf breakdown reports on the host baseline's rows.
func roundTripRows(t testing.TB, perStage []dp.Kind, noise float64, rng *rand.Rand) ([]Row, []Config) {
	var rows []Row
	for _, n := range cni.Names() {
		m, err := cni.Builtin(n)
		if err != nil {
			t.Fatal(err)
		}
		for _, md := range m.Modes {
			for _, pl := range []string{"intra", "inter"} {
				for _, enc := range []bool{false, true} {
					if enc && (pl == "intra" || md.Encryption == dp.EncapNone) {
						continue
					}
					for _, mtu := range []int{1500, 9000} {
						for _, acks := range []float64{0.5, 0.02} {
							rows = append(rows, Row{Plugin: n, Mode: md.Name, Placement: pl, MTU: mtu, Encrypt: enc,
								AcksPerPacket: acks, HasAcks: true, Line: len(rows) + 2})
						}
					}
				}
			}
		}
	}
	cfgs, err := ConfigsFor(rows, ModelConfigs())
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		r := &rows[i]
		b := float64(cfgs[i].PodMTU)
		for k := range dp.Kind(dp.NumKinds) {
			r.CPPTotal += modelled(cfgs[i], r.AcksPerPacket, b, k)
		}
		if noise > 0 {
			r.CPPTotal *= 1 + noise*rng.NormFloat64()
		}
		if r.Plugin == "host" {
			for _, k := range perStage {
				if r.CPPStage == nil {
					r.CPPStage = map[dp.Kind]float64{}
				}
				r.CPPStage[k] = modelled(cfgs[i], r.AcksPerPacket, b, k)
				if noise > 0 {
					r.CPPStage[k] *= 1 + noise*rng.NormFloat64()
				}
			}
		}
	}
	return rows, cfgs
}

// Round trip: rows generated from a known profile through the crossings
// the CLI uses (cni.Model.NodeCrossings with measured ACK ratios) give back
// every per-crossing and per-byte cost within 1% (exact data: the check is
// of the model and the solver, not of the noise; TestFitRecoversWithin-
// Uncertainty covers noise). The generic stages that every path crosses alike (syscall, tcp,
// skb, sched ...) need a perf breakdown on some rows, as a user's
// capture gives; without it the fit names them.
func TestRoundTripKnownProfile(t *testing.T) {
	t.Parallel()
	rows, cfgs := roundTripRows(t, nil, 0, nil)
	_, err := Fit(rows, cfgs, Options{})
	var ue *UnderdeterminedError
	if !errors.As(err, &ue) {
		t.Fatalf("without per-stage CPPs: %v, want under-determined", err)
	}
	t.Logf("without a breakdown: %v", ue)
	rows, cfgs = roundTripRows(t, perStageKinds, 0, nil)
	res, err := Fit(rows, cfgs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pc, pb := known()
	if len(res.Costs) != dp.NumKinds {
		t.Errorf("%d costs, want every kind (%d)", len(res.Costs), dp.NumKinds)
	}
	for _, c := range res.Costs {
		k, _ := dp.ParseKind(c.Stage)
		if math.Abs(c.Cycles-pc[k]) > 0.01*pc[k] {
			t.Errorf("%s: %.2f +- %.2f cycles per crossing, want %g", c.Stage, c.Cycles, c.StdErr, pc[k])
		}
		want, isByte := pb[k]
		if isByte != (c.PerByte != nil) {
			t.Errorf("%s: per byte %+v, want a per-byte cost: %v", c.Stage, c.PerByte, isByte)
			continue
		}
		if isByte && math.Abs(c.PerByte.Cycles-want) > 0.01*want {
			t.Errorf("%s: %.4f +- %.4f cycles per byte, want %g", c.Stage, c.PerByte.Cycles, c.PerByte.StdErr, want)
		}
	}
	t.Logf("%d rows, %d equations, sigma %.3g", len(rows), res.Equations, res.Sigma)
}

// perStageKinds: the generic stages a perf breakdown of the host baseline
// reports (what calibrate perf attributes them).
var perStageKinds = []dp.Kind{dp.TCP, dp.Syscall, dp.Skb, dp.Sched, dp.SocketCopy}
