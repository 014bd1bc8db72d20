package fit

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
	"gonum.org/v1/gonum/mat"
)

// Counts is how many times a packet crosses each stage kind on a
// configuration's path (the caller gets it from the CNI model).
type Counts [datapath.NumKinds]float64

// Row is one measured configuration.
type Row struct {
	Plugin, Mode, Placement string
	MTU                     int
	ThroughputMbps          float64
	CPPTotal                float64 // measured cycles per packet, all stages
	// CPPStage holds measured per-stage CPP (all crossings of the stage
	// together) for the stages measured; nil if none.
	CPPStage map[datapath.Kind]float64
	Line     int // line in the measurements file; 0 if not from a file
}

// Options of a fit.
type Options struct {
	// Stages to solve for; nil means every kind that some row crosses.
	Stages []datapath.Kind
}

// Cost is one fitted stage cost.
type Cost struct {
	Stage   string  `json:"stage"`
	Cycles  float64 `json:"cycles"` // per crossing
	StdErr  float64 `json:"stderr"` // 0 when at the bound or with no degrees of freedom
	AtBound bool    `json:"at_bound,omitempty"`
}

// RowResult is one row's fit.
type RowResult struct {
	Line                    int     `json:"line,omitempty"`
	Plugin, Mode, Placement string  `json:"-"`
	Config                  string  `json:"config"` // plugin/mode/placement/mtu
	Measured                float64 `json:"measured_cpp"`
	Fitted                  float64 `json:"fitted_cpp"`
	Residual                float64 `json:"residual"` // measured - fitted
	// StageResiduals holds measured - fitted per-stage CPP where measured.
	StageResiduals map[string]float64 `json:"stage_residuals,omitempty"`
}

// Result of a fit.
type Result struct {
	Costs     []Cost      `json:"costs"` // canonical kind order
	Rows      []RowResult `json:"rows"`
	Equations int         `json:"equations"` // rows plus measured per-stage CPPs
	DOF       int         `json:"dof"`       // equations - fitted (non-bound) costs
	RSS       float64     `json:"rss"`
	Sigma     float64     `json:"sigma"` // residual standard deviation, sqrt(RSS/DOF)
	Warnings  []string    `json:"warnings,omitempty"`
}

// UnderdeterminedError names the stages that the measurements do not
// separate: their columns are zero or linear combinations of others.
type UnderdeterminedError struct {
	Rank, Unknowns int
	Stages         []string
}

func (e *UnderdeterminedError) Error() string {
	return fmt.Sprintf("under-determined: the measurements separate %d of %d stage costs; not separated: %s "+
		"(add configurations that cross these stages in other proportions, per-stage cpp_<stage> columns, "+
		"or leave them out of the fit)", e.Rank, e.Unknowns, strings.Join(e.Stages, ", "))
}

// Fit solves for per-stage costs: for each row, CPPTotal = sum over stages
// of crossings x cost; each measured per-stage CPP adds the equation
// CPPStage[k] = crossings[k] x cost[k]. The costs are the non-negative
// least-squares solution; standard errors come from the residual variance
// and (A_P^T A_P)^-1 over the passive set P (the costs not at zero).
func Fit(rows []Row, crossings []Counts, opt Options) (*Result, error) {
	if len(rows) == 0 {
		return nil, errors.New("fit: no measurements")
	}
	if len(crossings) != len(rows) {
		return nil, fmt.Errorf("fit: %d rows but %d crossing counts", len(rows), len(crossings))
	}
	for i, r := range rows {
		if !(r.CPPTotal >= 0) || math.IsInf(r.CPPTotal, 0) {
			return nil, fmt.Errorf("fit: %s: cpp_total must be a finite number >= 0, got %v", rowName(r, i), r.CPPTotal)
		}
		for _, k := range datapath.Kinds() {
			if v, ok := r.CPPStage[k]; ok && (!(v >= 0) || math.IsInf(v, 0)) {
				return nil, fmt.Errorf("fit: %s: cpp_%s must be a finite number >= 0, got %v", rowName(r, i), k, v)
			}
		}
	}
	for i, c := range crossings {
		for k, v := range c {
			if !(v >= 0) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("fit: %s: crossings of %s must be a finite number >= 0, got %v",
					rowName(rows[i], i), datapath.Kind(k), v)
			}
		}
	}
	stages := opt.Stages
	if stages == nil {
		for _, k := range datapath.Kinds() {
			for _, c := range crossings {
				if c[k] > 0 {
					stages = append(stages, k)
					break
				}
			}
		}
	}
	if len(stages) == 0 {
		return nil, errors.New("fit: no row crosses any stage")
	}
	a, b := system(rows, crossings, stages)
	if err := checkRank(a, stages); err != nil {
		return nil, err
	}
	x, passive, err := NNLS(a, b)
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	return summarize(rows, crossings, stages, a, b, x, passive)
}

func rowName(r Row, i int) string {
	if r.Line > 0 {
		return fmt.Sprintf("line %d", r.Line)
	}
	return fmt.Sprintf("row %d", i)
}

// system builds A x = b: one equation per row total, one per measured
// per-stage CPP of a fitted stage, in row order then stage order.
func system(rows []Row, crossings []Counts, stages []datapath.Kind) (*mat.Dense, []float64) {
	var data, b []float64
	for i, r := range rows {
		for _, k := range stages {
			data = append(data, crossings[i][k])
		}
		b = append(b, r.CPPTotal)
		for j, k := range stages {
			if v, ok := r.CPPStage[k]; ok {
				eq := make([]float64, len(stages))
				eq[j] = crossings[i][k]
				data = append(data, eq...)
				b = append(b, v)
			}
		}
	}
	return mat.NewDense(len(b), len(stages), data), b
}

// checkRank refuses a rank-deficient A and names the stages involved in
// its column null space (right singular vectors of the zero singular
// values), the costs that no combination of rows separates.
func checkRank(a *mat.Dense, stages []datapath.Kind) error {
	m, n := a.Dims()
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDFull) {
		return errors.New("fit: singular value decomposition failed")
	}
	sv := svd.Values(nil)
	tol := float64(max(m, n)) * 2.220446049250313e-16 * sv[0] * 1e3
	rank := 0
	for _, s := range sv {
		if s > tol {
			rank++
		}
	}
	if rank == n {
		return nil
	}
	var v mat.Dense
	svd.VTo(&v)
	involved := make([]bool, n)
	for c := rank; c < n; c++ { // null space columns of V
		for j := range n {
			if math.Abs(v.At(j, c)) > 1e-8 {
				involved[j] = true
			}
		}
	}
	e := &UnderdeterminedError{Rank: rank, Unknowns: n}
	for j, in := range involved {
		if in {
			e.Stages = append(e.Stages, stages[j].String())
		}
	}
	return e
}

func summarize(rows []Row, crossings []Counts, stages []datapath.Kind, a *mat.Dense, b []float64, x []float64, passive []int) (*Result, error) {
	m, n := a.Dims()
	res := &Result{Equations: m, DOF: m - len(passive)}
	fitted := make([]float64, m)
	for i := range m {
		for j := range n {
			fitted[i] += a.At(i, j) * x[j]
		}
		d := b[i] - fitted[i]
		res.RSS += d * d
	}
	se := make([]float64, n)
	if res.DOF > 0 && len(passive) > 0 {
		res.Sigma = math.Sqrt(res.RSS / float64(res.DOF))
		ap := sub(a, passive)
		var ata, inv mat.Dense
		ata.Mul(ap.T(), ap)
		if err := inv.Inverse(&ata); err != nil {
			return nil, fmt.Errorf("fit: covariance: %w", err)
		}
		for i, j := range passive {
			se[j] = res.Sigma * math.Sqrt(inv.At(i, i))
		}
	} else if res.DOF == 0 {
		res.Warnings = append(res.Warnings, "as many equations as fitted costs: the fit is exact and has no standard errors; add measurements")
	}
	isPassive := make([]bool, n)
	for _, j := range passive {
		isPassive[j] = true
	}
	for j, k := range stages {
		c := Cost{Stage: k.String(), Cycles: x[j], StdErr: se[j], AtBound: !isPassive[j]}
		res.Costs = append(res.Costs, c)
		if c.AtBound {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s fitted at 0 (the non-negativity bound): the data would prefer a negative cost", k))
		}
	}
	// Rows in input order: the total's equation first, then its stages.
	eq := 0
	for i, r := range rows {
		rr := RowResult{Line: r.Line, Plugin: r.Plugin, Mode: r.Mode, Placement: r.Placement,
			Config:   fmt.Sprintf("%s/%s/%s/%d", r.Plugin, r.Mode, r.Placement, r.MTU),
			Measured: b[eq], Fitted: fitted[eq], Residual: b[eq] - fitted[eq]}
		eq++
		for j, k := range stages {
			if _, ok := r.CPPStage[k]; !ok {
				continue
			}
			if rr.StageResiduals == nil {
				rr.StageResiduals = map[string]float64{}
			}
			rr.StageResiduals[k.String()] = b[eq] - crossings[i][k]*x[j]
			eq++
		}
		res.Rows = append(res.Rows, rr)
	}
	return res, nil
}
