package testbed

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
)

// PointsFile is the per-stage reduction of a run's calibrations that
// `testbed validate --out` writes: enough to recompute the leave-one-out
// table without the perf scripts.
const PointsFile = "points.json"

// Points is the content of points.json: the run's header (no per-config
// measurements) and one Point per configuration with its one-core bytes
// per packet and TCP_RR latency.
type PointsData struct {
	Machine string      `json:"machine"`
	CPUGHz  float64     `json:"cpu_ghz"`
	Points  []Point     `json:"points"`
	Extra   []PointInfo `json:"info"`
}

// PointInfo is what a Point lacks for the report's other columns.
type PointInfo struct {
	Name           string    `json:"name"`
	Regime         string    `json:"regime"`
	BytesPerPacket float64   `json:"payload_bytes_per_packet"`
	RRLatencyUS    float64   `json:"rr_latency_us"`
	RepCPP         []float64 `json:"rep_cpp"`
}

// NewPointsData reduces a run's calibrations to points (Points(cs), or
// those pooled with other runs: PoolPoints) and machine line.
func NewPointsData(r *Run, cs []Calibrated, points []Point, machine string) *PointsData {
	d := &PointsData{Machine: machine, CPUGHz: r.CPUGHz, Points: points}
	for _, c := range cs {
		d.Extra = append(d.Extra, PointInfo{Name: c.M.Config.Name, Regime: c.M.Regime, BytesPerPacket: c.Cal.BytesPerPacket,
			RRLatencyUS: c.M.RRLatencyUS(), RepCPP: c.M.RepCPP})
	}
	return d
}

// Report recomputes the leave-one-out rows (no profile column).
func (d *PointsData) Report() (*Report, error) {
	if len(d.Points) != len(d.Extra) || len(d.Points) == 0 {
		return nil, fmt.Errorf("points.json: %d points and %d infos", len(d.Points), len(d.Extra))
	}
	loo := LeaveOneOut(d.Points)
	rep := &Report{Machine: d.Machine, Rule: LOORule}
	for i, p := range d.Points {
		x := d.Extra[i]
		row := Row{Name: p.Name, CPUs: p.CPUs, Regime: x.Regime, Measured: p.CPP, LOO: loo[i], RRLatencyUS: x.RRLatencyUS,
			MeasuredMbps: mbps(d.CPUGHz, x.BytesPerPacket, p.CPP), PredictedMbps: math.NaN(), MbpsErr: math.NaN(),
			ProfileCPP: math.NaN(), ProfileErr: math.NaN()}
		row.noRR()
		if loo[i].Predictable() {
			row.PredictedMbps = mbps(d.CPUGHz, x.BytesPerPacket, loo[i].Predicted)
			row.MbpsErr = 100 * (row.PredictedMbps - row.MeasuredMbps) / row.MeasuredMbps
		}
		rep.Rows = append(rep.Rows, row)
	}
	rep.summarize()
	return rep, nil
}

//go:embed testdata/run9/points.json
var recordedPoints []byte

//go:embed testdata/run9/measurements.json
var recordedMeasurements []byte

// RecordedRun is the committed run the embedded files come from (the
// embedding directives above name it too).
const RecordedRun = "testbed/testdata/run9"

// RecordedProfile is the built-in profile calibrated from the committed
// run (calibration/profiles/testbed-vm-6.18-xeon.toml).
const RecordedProfile = "testbed-vm-6.18-xeon"

// RecordedRR is Recorded with the TCP_RR and UDP_RR columns filled by the
// simulator with RecordedProfile (AddRR: in-sample, the profile's syscall
// and sched costs come from these RR runs) and with a profile fitted
// without each configuration (AddRRLeaveOneOut: held out).
func RecordedRR(ctx context.Context) (*Report, error) {
	rep, err := Recorded()
	if err != nil {
		return nil, err
	}
	r, err := Parse(RecordedRun+"/measurements.json", recordedMeasurements)
	if err != nil {
		return nil, err
	}
	if err := rep.AddRR(ctx, r, RecordedProfile); err != nil {
		return nil, err
	}
	d, err := recordedPointsData()
	if err != nil {
		return nil, err
	}
	if err := rep.AddRRLeaveOneOut(ctx, r, d.Points); err != nil {
		return nil, err
	}
	return rep, nil
}

// Recorded is the leave-one-out report of the run committed under
// RecordedRun (measured on this project's 2-vCPU VM), so that the
// testbed-validation experiment needs no root.
func Recorded() (*Report, error) {
	d, err := recordedPointsData()
	if err != nil {
		return nil, err
	}
	return d.Report()
}

func recordedPointsData() (*PointsData, error) {
	var d PointsData
	if err := json.Unmarshal(recordedPoints, &d); err != nil {
		return nil, fmt.Errorf("%s/points.json: %w", RecordedRun, err)
	}
	return &d, nil
}
