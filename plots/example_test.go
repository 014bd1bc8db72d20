package plots_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/cnisim/cnisim/plots"
)

// Grouped bars with 95% confidence whiskers, saved as PNG and SVG.
func ExampleBars() {
	dir, err := os.MkdirTemp("", "plots")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	fig, err := plots.Bars{
		Title:      "TCP_RR, inter-host, 10 replications",
		YLabel:     "transactions per second (thousands)",
		Categories: []string{"bare metal", "flannel", "cilium"},
		Series: []plots.Series{
			{Name: "intra-host", Mean: []float64{38, 31, 29}, CI95: []float64{0.4, 0.5, 0.6}},
			{Name: "inter-host", Mean: []float64{21, 16, 15}, CI95: []float64{0.3, 0.4, 0.4}},
		},
	}.Figure()
	if err != nil {
		log.Fatal(err)
	}
	paths, err := plots.Save(fig, filepath.Join(dir, "fig3-tcp-rr"))
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range paths {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// fig3-tcp-rr.png
	// fig3-tcp-rr.svg
}

// Stacked per-stage costs; the legend lists the stages top to bottom as they
// are stacked, and an all-zero stage is left out.
func ExampleStacked() {
	fig, err := plots.Stacked{
		Title:      "Cycles per packet by stage, inter-host",
		YLabel:     "cycles per packet",
		Categories: []string{"flannel", "cilium"},
		Layers: []plots.Layer{
			{Name: "veth", Values: []float64{45, 45}},
			{Name: "ebpf", Values: []float64{0, 1550}},
			{Name: "vxlan", Values: []float64{900, 900}},
			{Name: "gre", Values: []float64{0, 0}},
		},
	}.Figure()
	fmt.Println(len(fig.Plots), fig.Legend != nil, err)
	// Output: 1 true <nil>
}

// Bad input is reported, not drawn.
func ExampleLines_error() {
	_, err := plots.Lines{
		Title:  "Throughput vs MTU",
		XLabel: "pod MTU (bytes)",
		YLabel: "throughput (Gbit/s)",
		Series: []plots.LineSeries{{X: []float64{1500, 9000}, Y: []float64{8.1}}},
	}.Figure()
	fmt.Println(err)
	// Output: plots: Lines "Throughput vs MTU": series 0 "": len(Y) = 1, want 2
}

// Two panels over one time axis: throughput above the congestion window.
func ExampleTimeSeries() {
	t := []float64{0, 1, 1.1, 1.2, 1.5}
	fig, err := plots.TimeSeries{
		Title:  "curl download, asynchronous CNI",
		XLabel: "time (s)",
		Panels: []plots.Panel{
			{YLabel: "throughput (Gbit/s)", Series: []plots.LineSeries{{Name: "goodput", X: t, Y: []float64{0, 0, 2, 8, 9}}}},
			{YLabel: "cwnd (segments)", Step: true, Series: []plots.LineSeries{{Name: "cwnd", X: t, Y: []float64{0, 10, 20, 40, 80}}}},
		},
	}.Figure()
	fmt.Println(len(fig.Plots), err)
	// Output: 2 <nil>
}
