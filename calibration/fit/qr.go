package fit

import "math"

// qrAcc reduces a least-squares system A x ~ b one equation at a time by
// Givens rotations (Golub and Van Loan, Matrix Computations, 5.1.8 and
// 6.5.3: updating a QR factorisation by a row): after any number of rows,
// ||A x - b||^2 = ||R x - d||^2 + rss0 for every x, with R n x n upper
// triangular. Memory is n^2 whatever the number of rows, and R^T R = A^T A,
// so the least-squares solution, NNLS and the covariance all follow from R
// and d without ever forming A (nor the rows-squared matrices of a full
// SVD or QR of A).
type qrAcc struct {
	n    int
	r    []float64 // row-major n x n
	d    []float64
	rss0 float64 // the part of ||b||^2 that no x can reach
	work []float64
}

func newQRAcc(n int) *qrAcc {
	return &qrAcc{n: n, r: make([]float64, n*n), d: make([]float64, n), work: make([]float64, n)}
}

// add rotates the equation a . x = b into R and d.
func (q *qrAcc) add(a []float64, b float64) {
	n := q.n
	w := q.work
	copy(w, a)
	for j := range n {
		if w[j] == 0 {
			continue
		}
		rjj := q.r[j*n+j]
		h := math.Hypot(rjj, w[j])
		c, s := rjj/h, w[j]/h
		row := q.r[j*n : (j+1)*n]
		for k := j; k < n; k++ {
			rk, wk := row[k], w[k]
			row[k] = c*rk + s*wk
			w[k] = c*wk - s*rk
		}
		w[j] = 0
		dj := q.d[j]
		q.d[j] = c*dj + s*b
		b = c*b - s*dj
	}
	q.rss0 += b * b
}
