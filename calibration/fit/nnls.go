package fit

import (
	"errors"
	"math"

	"gonum.org/v1/gonum/mat"
)

// NNLS solves min ||A x - b|| subject to x >= 0 with the active-set
// algorithm of Lawson and Hanson (Solving Least Squares Problems, 1974,
// ch. 23, algorithm NNLS). It returns x and the passive set (the indices
// with x > 0). A must have full column rank on every passive set, which
// holds when A has full column rank (Fit checks this first).
func NNLS(a *mat.Dense, b []float64) (x []float64, passive []int, err error) {
	m, n := a.Dims()
	if len(b) != m {
		return nil, nil, errors.New("nnls: len(b) != rows of A")
	}
	bv := mat.NewVecDense(m, append([]float64(nil), b...))
	x = make([]float64, n)
	inP := make([]bool, n)
	// Tolerance on the dual (gradient) relative to the problem's scale.
	tol := 10 * float64(max(m, n)) * 2.220446049250313e-16 * mat.Norm(a, 1) * math.Max(1, mat.Norm(bv, math.Inf(1)))

	w := gradient(a, bv, x)
	maxIter := 3 * max(n, 1) * 10
	for iter := 0; ; iter++ {
		if iter > maxIter {
			return nil, nil, errors.New("nnls: did not converge")
		}
		// Step 2-3: the most promising index outside P.
		t, wt := -1, tol
		for j := range n {
			if !inP[j] && w[j] > wt {
				t, wt = j, w[j]
			}
		}
		if t < 0 {
			break // Kuhn-Tucker conditions hold
		}
		inP[t] = true
		// Inner loop: keep the unconstrained solution on P feasible.
		rejected := false
		for inner := 0; ; inner++ {
			if inner > maxIter {
				return nil, nil, errors.New("nnls: inner loop did not converge")
			}
			z, err := lsOn(a, bv, inP)
			if err != nil {
				return nil, nil, err
			}
			if inner == 0 && z[t] <= 0 {
				// Rounding: w[t] > 0 yet the step would not enter t.
				// Leave t out and try the next candidate.
				inP[t], w[t], rejected = false, 0, true
				break
			}
			// Step 8-11: move from x toward z as far as feasibility allows;
			// the index that limits the step (and any other that reaches
			// zero) leaves P.
			alpha, limit := math.Inf(1), -1
			for j := range n {
				if inP[j] && z[j] <= 0 {
					if r := x[j] / (x[j] - z[j]); r < alpha {
						alpha, limit = r, j
					}
				}
			}
			if limit < 0 {
				copy(x, z)
				break
			}
			for j := range n {
				x[j] += alpha * (z[j] - x[j])
				if inP[j] && (j == limit || x[j] <= 0) {
					inP[j], x[j] = false, 0
				}
			}
		}
		if !rejected {
			w = gradient(a, bv, x)
		}
	}
	for j := range n {
		if inP[j] {
			passive = append(passive, j)
		}
	}
	return x, passive, nil
}

// gradient returns A^T (b - A x), the negative gradient of the half squared
// residual.
func gradient(a *mat.Dense, b *mat.VecDense, x []float64) []float64 {
	_, n := a.Dims()
	var r mat.VecDense
	r.MulVec(a, mat.NewVecDense(n, append([]float64(nil), x...)))
	r.SubVec(b, &r)
	var w mat.VecDense
	w.MulVec(a.T(), &r)
	return w.RawVector().Data
}

// lsOn solves the unconstrained least squares on the columns in P and
// returns a full-length vector, zero outside P.
func lsOn(a *mat.Dense, b *mat.VecDense, inP []bool) ([]float64, error) {
	cols := columns(inP)
	ap := sub(a, cols)
	var s mat.VecDense
	if err := s.SolveVec(ap, b); err != nil {
		return nil, err
	}
	z := make([]float64, len(inP))
	for i, j := range cols {
		z[j] = s.AtVec(i)
	}
	return z, nil
}

func columns(in []bool) []int {
	var cols []int
	for j, ok := range in {
		if ok {
			cols = append(cols, j)
		}
	}
	return cols
}

// sub returns the columns cols of a as a new matrix.
func sub(a *mat.Dense, cols []int) *mat.Dense {
	m, _ := a.Dims()
	s := mat.NewDense(m, len(cols), nil)
	for i, j := range cols {
		s.SetCol(i, mat.Col(nil, j, a))
	}
	return s
}
