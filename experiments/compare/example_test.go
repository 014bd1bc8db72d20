package compare_test

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/compare"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// Two modes over three replications: each replication's VXLAN throughput
// against host-gw's with the same seed.
func Example() {
	plan, _ := scenario.Load("modes.toml", []byte(`name = "modes"
replications = 3
[sweep]
"cni.mode" = ["vxlan", "host-gw"]
`), scenario.Options{})
	host, _ := scenario.ParseSet("cni.mode=host-gw")
	base, _ := compare.NewBaseline(plan, []scenario.Override{host})
	c := compare.NewCollector(base)
	hostGW := []float64{9400, 9100, 9600} // one replication's load is heavier than another's:
	vxlan := []float64{7900, 7650, 8050}  // both modes see it
	for r := range 3 {
		for pt, v := range [][]float64{vxlan, hostGW} {
			var s run.Sample
			s.Set("throughput_mbps", v[r])
			c.Add(run.UnitResult{Unit: run.Unit{Point: pt, Rep: r}, Sample: s})
		}
	}
	d := c.Comparisons().Points[0].Metrics[0]
	pct, _ := d.ChangePct()
	fmt.Printf("%s: %.0f ± %.0f Mbit/s (%.1f%%); as independent samples ± %.0f\n", d.Name, d.Diff, d.CI95, pct, d.CI95Unpaired)
	// Output:
	// throughput_mbps: -1500 ± 124 Mbit/s (-16.0%); as independent samples ± 527
}
