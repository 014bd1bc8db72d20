package fit

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The Kuhn-Tucker conditions characterise the NNLS solution (Lawson and
// Hanson, theorem 23.4): x >= 0, w = A^T(b - Ax) <= 0, and w_j = 0 where
// x_j > 0. Checked on random problems, many with negative unconstrained
// solutions.
func TestNNLSKuhnTucker(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		m, n := 3+rng.IntN(8), 1+rng.IntN(6)
		if n > m {
			n = m
		}
		a := mat.NewDense(m, n, nil)
		b := make([]float64, m)
		for i := range m {
			for j := range n {
				a.Set(i, j, rng.NormFloat64())
			}
			b[i] = 5 * rng.NormFloat64()
		}
		x, passive, err := NNLS(a, b)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		w := gradient(a, mat.NewVecDense(m, b), x)
		scale := mat.Norm(a, 1) * (1 + math.Abs(mat.Norm(mat.NewVecDense(m, b), math.Inf(1))))
		tol := 1e-9 * scale
		inP := map[int]bool{}
		for _, j := range passive {
			inP[j] = true
		}
		for j := range n {
			if x[j] < 0 {
				t.Fatalf("trial %d: x[%d] = %v < 0", trial, j, x[j])
			}
			if w[j] > tol {
				t.Fatalf("trial %d: w[%d] = %v > 0: not optimal", trial, j, w[j])
			}
			if inP[j] && math.Abs(w[j]) > tol {
				t.Fatalf("trial %d: passive w[%d] = %v != 0", trial, j, w[j])
			}
			if !inP[j] && x[j] != 0 {
				t.Fatalf("trial %d: x[%d] = %v outside the passive set", trial, j, x[j])
			}
		}
	}
}

// Where the unconstrained solution is positive NNLS must equal it; a
// hand-checked case where it is not: min (x-(-1))^2 + (y-2)^2 has x = 0.
func TestNNLSKnown(t *testing.T) {
	t.Parallel()
	a := mat.NewDense(3, 2, []float64{1, 0, 0, 1, 1, 1})
	x, _, err := NNLS(a, []float64{1, 2, 3})
	if err != nil || math.Abs(x[0]-1) > 1e-12 || math.Abs(x[1]-2) > 1e-12 {
		t.Errorf("consistent system: %v %v", x, err)
	}
	x, p, _ := NNLS(mat.NewDense(2, 2, []float64{1, 0, 0, 1}), []float64{-1, 2})
	if x[0] != 0 || math.Abs(x[1]-2) > 1e-12 || len(p) != 1 || p[0] != 1 {
		t.Errorf("bound case: %v passive %v", x, p)
	}
	if _, _, err := NNLS(a, []float64{1}); err == nil {
		t.Error("length mismatch accepted")
	}
}
