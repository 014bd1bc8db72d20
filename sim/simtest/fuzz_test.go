package simtest_test

import (
	"testing"

	"github.com/cnisim/cnisim/sim/simtest"
)

// FuzzQueue checks the engine's event queue against the sorted-slice oracle
// on arbitrary operation sequences (see simtest.CheckOps for the encoding).
// Run it with: go test ./sim/simtest -run '^$' -fuzz FuzzQueue -fuzztime 30s
func FuzzQueue(f *testing.F) {
	f.Add([]byte{1, 1, 0, 1, 0, 0})                         // ties at time zero
	f.Add([]byte{3 | 10<<2, 200, 3 | 12<<2, 7, 2, 0, 1, 0}) // far, near, tie with previous
	f.Add([]byte{3 | 47<<2, 255, 3 | 47<<2, 255, 0, 0})     // saturating times
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := simtest.CheckOps(simtest.NewEngineQueue(), data); err != nil {
			t.Fatal(err)
		}
	})
}
