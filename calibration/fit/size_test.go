package fit

import (
	"math/rand/v2"
	"runtime"
	"testing"
)

// manyRows repeats the round-trip measurements with 0.1% noise to n rows.
func manyRows(t testing.TB, n int) ([]Row, []Config) {
	rng := rand.New(rand.NewPCG(9, 9))
	base, bc := roundTripRows(t, perStageKinds, 0, nil)
	rows, cfgs := make([]Row, n), make([]Config, n)
	for i := range rows {
		r := base[i%len(base)]
		r.CPPTotal *= 1 + 0.001*rng.NormFloat64()
		r.Line = i + 2
		rows[i], cfgs[i] = r, bc[i%len(base)]
	}
	return rows, cfgs
}

// A fit's memory is linear in the rows: 12,000 rows (a long sweep of
// measurements) allocate a few MB in all, where one rows-squared matrix
// (a full SVD's U, a QR's Q) would take 12,000^2 x 8 B = 1.15 GB.
func TestFitMemoryLinear(t *testing.T) {
	if testing.Short() {
		t.Skip("12k rows")
	}
	rows, cfgs := manyRows(t, 12000)
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	res, err := Fit(rows, cfgs, Options{})
	runtime.ReadMemStats(&m1)
	if err != nil {
		t.Fatal(err)
	}
	alloc := m1.TotalAlloc - m0.TotalAlloc
	perRow := float64(alloc) / float64(len(rows))
	t.Logf("12000 rows: %.1f MB allocated in all (%.0f B per row), %d equations, sigma %.3g", float64(alloc)/1e6, perRow, res.Equations, res.Sigma)
	if alloc > 32<<20 || perRow > 2000 {
		t.Errorf("fit of 12000 rows allocated %d bytes (%.0f per row): not linear in the rows", alloc, perRow)
	}
	if len(res.Rows) != len(rows) {
		t.Errorf("%d row results", len(res.Rows))
	}
}

// go test ./calibration/fit -run '^$' -bench FitRows -benchmem
func BenchmarkFitRows(b *testing.B) {
	rows, cfgs := manyRows(b, 12000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Fit(rows, cfgs, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
