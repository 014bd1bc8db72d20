package fit

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
	"gonum.org/v1/gonum/mat"
)

// DefaultAcksPerPacket is the ACKs per data packet assumed for a row that
// does not state it: one delayed ACK per two full-sized segments, Linux's
// __tcp_ack_snd_check, the simulator's default tcp.ack_every = 2 and the
// convention of the paper profile. A receiver with GRO sends stretch ACKs
// (about 0.01 per data packet was measured on a one-core receiver, notes
// fidelity.md), so a measured ratio is better: Fit warns when it assumes.
const DefaultAcksPerPacket = 0.5

// MaxAcksPerPacket bounds a row's acks_per_packet: a receiver that ACKs
// every segment sends 1 per data packet (tcp.ack_every = 1), and window
// updates add a little; a larger number is not an ACK ratio (a percentage,
// or ACKs counted over both directions).
const MaxAcksPerPacket = 4

// ByteStages are the stage kinds whose work grows with the bytes they
// touch (copies, encryption, a user-space daemon's copies): Fit gives them
// a per-byte cost where the rows' packet sizes vary.
var ByteStages = []datapath.Kind{datapath.SocketCopy, datapath.Encrypt, datapath.Userspace}

// Config is what the CNI model says about a row's configuration on the
// measured node: crossings per data packet and per ACK (datapath.Crossings,
// the one definition the simulator charges), and the pod MTU, the IP bytes
// of a full-sized data packet.
type Config struct {
	Crossings datapath.Crossings
	PodMTU    int
}

// Row is one measured configuration.
type Row struct {
	Plugin, Mode, Placement string
	MTU                     int
	ThroughputMbps          float64
	CPPTotal                float64 // measured cycles per data packet on the node, all stages, ACKs included
	// CPPStage holds measured per-stage CPP (all crossings of the stage
	// together) for the stages measured; nil if none.
	CPPStage map[datapath.Kind]float64
	// AcksPerPacket is the pure ACKs per data packet the node handled
	// (measured: the receiver's TcpOutSegs / TcpInSegs in a bulk run);
	// HasAcks false means not measured (DefaultAcksPerPacket is assumed).
	AcksPerPacket float64
	HasAcks       bool
	// BytesPerPacket is the mean IP bytes of a data packet; 0 means
	// full-sized packets, the configuration's pod MTU.
	BytesPerPacket float64
	// Encrypt says the configuration ran with its mode's encryption
	// (Weave ESP or NaCl, Cilium WireGuard): its path has encrypt steps.
	Encrypt bool
	Line    int // line in the measurements file; 0 if not from a file
}

// Options of a fit.
type Options struct {
	// Stages to solve for; nil means every kind that some row crosses.
	Stages []datapath.Kind
}

// ByteCost is a fitted per-byte cost.
type ByteCost struct {
	Cycles  float64 `json:"cycles"` // per byte
	StdErr  float64 `json:"stderr"`
	AtBound bool    `json:"at_bound,omitempty"`
}

// Cost is one fitted stage cost.
type Cost struct {
	Stage   string  `json:"stage"`
	Cycles  float64 `json:"cycles"` // per crossing
	StdErr  float64 `json:"stderr"` // 0 when at the bound or with no degrees of freedom
	AtBound bool    `json:"at_bound,omitempty"`
	// PerByte is the stage's cost per byte, where the rows' packet sizes
	// separate it from the per-crossing cost; nil otherwise.
	PerByte *ByteCost `json:"per_byte,omitempty"`
}

// RowResult is one row's fit.
type RowResult struct {
	Line                    int     `json:"line,omitempty"`
	Plugin, Mode, Placement string  `json:"-"`
	Config                  string  `json:"config"` // plugin/mode/placement/mtu
	AcksPerPacket           float64 `json:"acks_per_packet"`
	BytesPerPacket          float64 `json:"bytes_per_packet"`
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
	Note           string // a hint particular to the rows, or ""
}

func (e *UnderdeterminedError) Error() string {
	s := fmt.Sprintf("under-determined: the measurements separate %d of %d stage costs; not separated: %s "+
		"(add configurations that cross these stages in other proportions, per-stage cpp_<stage> columns, "+
		"or leave them out of the fit)", e.Rank, e.Unknowns, strings.Join(e.Stages, ", "))
	if e.Note != "" {
		s += "; " + e.Note
	}
	return s
}

// unknown is one fitted cost: a stage's cycles per crossing, or per byte.
type unknown struct {
	kind    datapath.Kind
	perByte bool
}

func (u unknown) String() string {
	if u.perByte {
		return u.kind.String() + " per byte"
	}
	return u.kind.String()
}

// Fit solves for per-stage costs. Row i, with r ACKs per data packet and B
// bytes per data packet, is modelled as the simulator charges it:
//
//	CPPTotal = sum_k c_k (Data[k] + r Ack[k]) + sum_k b_k (B Data[k] + r H Ack[k])
//
// with H = datapath.TCPIPOverhead (the IP size of a pure ACK) and per-byte costs b_k only for ByteStages whose rows differ in B; each
// measured per-stage CPP adds the equation of that stage's terms. The costs
// are the non-negative least-squares solution; standard errors come from
// the residual variance and (A_P^T A_P)^-1 over the passive set P (the
// costs not at zero). Memory is linear in the rows: the system is reduced
// row by row (qrAcc), never held whole.
func Fit(rows []Row, cfgs []Config, opt Options) (*Result, error) {
	if len(rows) == 0 {
		return nil, errors.New("fit: no measurements")
	}
	if len(cfgs) != len(rows) {
		return nil, fmt.Errorf("fit: %d rows but %d configurations", len(rows), len(cfgs))
	}
	if err := checkInputs(rows, cfgs); err != nil {
		return nil, err
	}
	s := newSystem(rows, cfgs, opt.Stages)
	if len(s.unknowns) == 0 {
		return nil, errors.New("fit: no row crosses any stage")
	}
	q := newQRAcc(len(s.unknowns))
	m := s.each(func(_, _ int, coef []float64, b float64) { q.add(coef, b) })
	r := mat.NewDense(q.n, q.n, q.r)
	if err := checkRank(r, m, s.unknowns); err != nil {
		var ue *UnderdeterminedError
		if errors.As(err, &ue) && s.assumed > 0 {
			ue.Note = fmt.Sprintf("%d of %d rows have no acks_per_packet (%g assumed): measured ratios that differ between rows "+
				"also separate stages that data packets and ACKs cross in different proportions", s.assumed, len(rows), DefaultAcksPerPacket)
		}
		return nil, err
	}
	x, passive, err := NNLS(r, q.d)
	if err != nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	res, err := s.summarize(r, m, x, passive)
	if err != nil {
		return nil, err
	}
	res.Warnings = append(s.warnings, res.Warnings...)
	return res, nil
}

func checkInputs(rows []Row, cfgs []Config) error {
	for i, r := range rows {
		if !(r.CPPTotal >= 0) || math.IsInf(r.CPPTotal, 0) {
			return fmt.Errorf("fit: %s: cpp_total must be a finite number >= 0, got %v", rowName(r, i), r.CPPTotal)
		}
		for _, k := range datapath.Kinds() {
			if v, ok := r.CPPStage[k]; ok && (!(v >= 0) || math.IsInf(v, 0)) {
				return fmt.Errorf("fit: %s: cpp_%s must be a finite number >= 0, got %v", rowName(r, i), k, v)
			}
		}
		if r.HasAcks && (!(r.AcksPerPacket >= 0) || r.AcksPerPacket > MaxAcksPerPacket) {
			return fmt.Errorf("fit: %s: acks_per_packet must be in [0, %g], got %v", rowName(r, i), float64(MaxAcksPerPacket), r.AcksPerPacket)
		}
		if !(r.BytesPerPacket >= 0) || r.BytesPerPacket > 65535 {
			return fmt.Errorf("fit: %s: bytes_per_packet must be in [0, 65535], got %v", rowName(r, i), r.BytesPerPacket)
		}
	}
	for i, c := range cfgs {
		for k := range datapath.NumKinds {
			for _, v := range []float64{c.Crossings.Data[k], c.Crossings.Ack[k]} {
				if !(v >= 0) || math.IsInf(v, 0) {
					return fmt.Errorf("fit: %s: crossings of %s must be a finite number >= 0, got %v",
						rowName(rows[i], i), datapath.Kind(k), v)
				}
			}
		}
		if c.PodMTU < 0 {
			return fmt.Errorf("fit: %s: pod MTU %d", rowName(rows[i], i), c.PodMTU)
		}
	}
	return nil
}

func rowName(r Row, i int) string {
	if r.Line > 0 {
		return fmt.Sprintf("line %d", r.Line)
	}
	return fmt.Sprintf("row %d", i)
}

// system is the fit's linear model over the rows: which costs are
// unknown, and each row's ACK ratio and packet bytes.
type system struct {
	fitted   [datapath.NumKinds]bool // per-crossing cost unknown
	rows     []Row
	cfgs     []Config
	unknowns []unknown
	acks     []float64 // per row, as used
	bytes    []float64 // per row, as used
	assumed  int       // rows without a measured ACK ratio
	warnings []string
}

func newSystem(rows []Row, cfgs []Config, stages []datapath.Kind) *system {
	s := &system{rows: rows, cfgs: cfgs, acks: make([]float64, len(rows)), bytes: make([]float64, len(rows))}
	assumed := 0
	for i, r := range rows {
		s.acks[i] = r.AcksPerPacket
		if !r.HasAcks {
			s.acks[i] = DefaultAcksPerPacket
			assumed++
		}
		s.bytes[i] = r.BytesPerPacket
		if s.bytes[i] == 0 {
			s.bytes[i] = float64(cfgs[i].PodMTU)
		}
	}
	s.assumed = assumed
	if assumed > 0 {
		s.warnings = append(s.warnings, fmt.Sprintf("%d of %d rows have no acks_per_packet: assumed %g ACK per data packet "+
			"(Linux's delayed ACK every second segment, tcp.ack_every = 2); a receiver with GRO sends stretch ACKs "+
			"(about 0.01 per data packet on a one-core receiver), so measure it: the receiver's TcpOutSegs / TcpInSegs "+
			"(nstat) over the run, and simulate with tcp.ack_every = 1 / that ratio",
			assumed, len(rows), DefaultAcksPerPacket))
	}
	if stages == nil {
		for _, k := range datapath.Kinds() {
			for i, c := range cfgs {
				if c.Crossings.PerData(k, s.acks[i]) > 0 {
					stages = append(stages, k)
					break
				}
			}
		}
	}
	for _, k := range stages {
		s.unknowns = append(s.unknowns, unknown{kind: k})
		s.fitted[k] = true
	}
	for _, k := range ByteStages {
		if s.fitted[k] && s.bytesVary(k) {
			s.unknowns = append(s.unknowns, unknown{kind: k, perByte: true})
		}
	}
	return s
}

// bytesVary reports whether the rows that cross k have more than one
// packet size: only then can a per-byte cost be told from a per-crossing
// one.
func (s *system) bytesVary(k datapath.Kind) bool {
	first := math.NaN()
	for i, c := range s.cfgs {
		if c.Crossings.Data[k] == 0 {
			continue
		}
		if math.IsNaN(first) {
			first = s.bytes[i]
		} else if s.bytes[i] != first {
			return true
		}
	}
	return false
}

// coef is the coefficient of unknown u in row i: the crossings per data
// packet (a per-crossing cost) or the bytes they touch (a per-byte cost),
// ACKs included.
func (s *system) coef(i int, u unknown) float64 {
	c := s.cfgs[i].Crossings
	if u.perByte {
		return s.bytes[i]*c.Data[u.kind] + s.acks[i]*datapath.TCPIPOverhead*c.Ack[u.kind]
	}
	return c.PerData(u.kind, s.acks[i])
}

// each calls fn with every equation in order (row i's total, stage = -1;
// then its measured per-stage CPPs, stage = the unknown's kind) and returns
// how many there were. coef is reused between calls.
func (s *system) each(fn func(row, stage int, coef []float64, b float64)) int {
	coef := make([]float64, len(s.unknowns))
	m := 0
	for i, r := range s.rows {
		for j, u := range s.unknowns {
			coef[j] = s.coef(i, u)
		}
		fn(i, -1, coef, r.CPPTotal)
		m++
		if r.CPPStage == nil {
			continue
		}
		for k := range datapath.Kind(datapath.NumKinds) { // canonical order, not map order
			v, ok := r.CPPStage[k]
			if !ok || !s.fitted[k] {
				continue
			}
			for j, u := range s.unknowns {
				coef[j] = 0
				if u.kind == k {
					coef[j] = s.coef(i, u)
				}
			}
			fn(i, int(k), coef, v)
			m++
		}
	}
	return m
}

// checkRank refuses a rank-deficient system and names the costs involved
// in the null space of R (the right singular vectors of its zero singular
// values; R has A's singular values), the costs no combination of rows
// separates.
func checkRank(r *mat.Dense, m int, unknowns []unknown) error {
	_, n := r.Dims()
	var svd mat.SVD
	if !svd.Factorize(r, mat.SVDFull) { // n x n: the number of rows does not matter
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
			e.Stages = append(e.Stages, unknowns[j].String())
		}
	}
	return e
}

func (s *system) summarize(r *mat.Dense, m int, x []float64, passive []int) (*Result, error) {
	n := len(s.unknowns)
	res := &Result{Equations: m, DOF: m - len(passive)}
	// Rows in input order: the total's equation first, then its stages.
	var cur *RowResult
	s.each(func(i, stage int, coef []float64, b float64) {
		fitted := 0.0
		for j := range n {
			fitted += coef[j] * x[j]
		}
		d := b - fitted
		res.RSS += d * d
		if stage < 0 {
			row := s.rows[i]
			res.Rows = append(res.Rows, RowResult{Line: row.Line, Plugin: row.Plugin, Mode: row.Mode, Placement: row.Placement,
				Config:        fmt.Sprintf("%s/%s/%s/%d", row.Plugin, row.Mode, row.Placement, row.MTU),
				AcksPerPacket: s.acks[i], BytesPerPacket: s.bytes[i],
				Measured: b, Fitted: fitted, Residual: d})
			cur = &res.Rows[len(res.Rows)-1]
			return
		}
		if cur.StageResiduals == nil {
			cur.StageResiduals = map[string]float64{}
		}
		cur.StageResiduals[datapath.Kind(stage).String()] = d
	})
	se := make([]float64, n)
	if res.DOF > 0 && len(passive) > 0 {
		res.Sigma = math.Sqrt(res.RSS / float64(res.DOF))
		rp := sub(r, passive) // R_P^T R_P = A_P^T A_P
		var rtr, inv mat.Dense
		rtr.Mul(rp.T(), rp)
		if err := inv.Inverse(&rtr); err != nil {
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
	at := map[datapath.Kind]int{}
	for j, u := range s.unknowns {
		if u.perByte {
			res.Costs[at[u.kind]].PerByte = &ByteCost{Cycles: x[j], StdErr: se[j], AtBound: !isPassive[j]}
		} else {
			at[u.kind] = len(res.Costs)
			res.Costs = append(res.Costs, Cost{Stage: u.kind.String(), Cycles: x[j], StdErr: se[j], AtBound: !isPassive[j]})
		}
		if !isPassive[j] {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s fitted at 0 (the non-negativity bound): the data would prefer a negative cost", u))
		}
	}
	return res, nil
}
