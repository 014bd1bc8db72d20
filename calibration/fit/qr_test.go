package fit

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The accumulated R and d give the same normal equations as A and b:
// R^T R = A^T A, R^T d = A^T b, and ||Ax-b||^2 = ||Rx-d||^2 + rss0.
func TestQRAccMatchesNormalEquations(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 8))
	m, n := 40, 6
	a := mat.NewDense(m, n, nil)
	b := make([]float64, m)
	q := newQRAcc(n)
	for i := range m {
		row := make([]float64, n)
		for j := range row {
			if rng.IntN(3) > 0 { // sparse rows, as crossings are
				row[j] = float64(rng.IntN(4))
			}
		}
		b[i] = 100 * rng.NormFloat64()
		a.SetRow(i, row)
		q.add(row, b[i])
	}
	r := mat.NewDense(n, n, q.r)
	var ata, rtr mat.Dense
	ata.Mul(a.T(), a)
	rtr.Mul(r.T(), r)
	if !mat.EqualApprox(&ata, &rtr, 1e-9) {
		t.Errorf("R^T R != A^T A")
	}
	var atb, rtd mat.VecDense
	atb.MulVec(a.T(), mat.NewVecDense(m, b))
	rtd.MulVec(r.T(), mat.NewVecDense(n, q.d))
	if !mat.EqualApprox(&atb, &rtd, 1e-9) {
		t.Errorf("R^T d != A^T b")
	}
	x := mat.NewVecDense(n, []float64{1, -2, 3, 0.5, 7, -1})
	var ax, rx mat.VecDense
	ax.MulVec(a, x)
	ax.SubVec(&ax, mat.NewVecDense(m, b))
	rx.MulVec(r, x)
	rx.SubVec(&rx, mat.NewVecDense(n, q.d))
	if lhs, rhs := mat.Dot(&ax, &ax), mat.Dot(&rx, &rx)+q.rss0; math.Abs(lhs-rhs) > 1e-9*lhs {
		t.Errorf("||Ax-b||^2 %v != ||Rx-d||^2 + rss0 %v", lhs, rhs)
	}
	for i := range n {
		for j := range i {
			if r.At(i, j) != 0 {
				t.Fatalf("R not upper triangular at %d,%d", i, j)
			}
		}
	}
}
