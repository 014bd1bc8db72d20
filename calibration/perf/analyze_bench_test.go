package perf

import (
	"bytes"
	"os"
	"testing"
)

// BenchmarkAnalyzeFixture: the real VXLAN fixture (gzip, ~2200 samples of
// ~20 frames).
func BenchmarkAnalyzeFixture(b *testing.B) {
	data, err := os.ReadFile("testdata/perf/vxlan.script.gz")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Analyze(bytes.NewReader(data), Options{Packets: 20773, CPUGHz: 2.1}); err != nil {
			b.Fatal(err)
		}
	}
}
