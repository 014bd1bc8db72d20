package podlaunch

import (
	"testing"

	"github.com/cnisim/cnisim/sim"
)

// BenchmarkBurst1000 launches a burst of 1000 pods over 10 nodes.
func BenchmarkBurst1000(b *testing.B) {
	cfg := Config{Plugin: "calico", Policy: true, Pods: 1000, Nodes: 10}
	for i := 0; i < b.N; i++ {
		if _, err := Run(cfg, sim.Streams{Seed: uint64(i)}); err != nil {
			b.Fatal(err)
		}
	}
}
