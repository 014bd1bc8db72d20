package network_test

import (
	"flag"
	"os"
	"testing"

	"github.com/cnisim/cnisim/internal/hugepage"
)

// TestMain starts huge pages for the heap when benchmarks run, as cnisim,
// bench/harness and bench/fattree do (internal/hugepage), so that
// BenchmarkFabric measures what a run costs; GODEBUG=disablethp=1 turns
// them off for a comparison. Tests run without them (results do not
// depend on them).
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.bench"); f != nil && f.Value.String() != "" {
		hugepage.Start(hugepage.Interval)
	}
	os.Exit(m.Run())
}
