package plots

import "math"

// Small fixed inputs shaped like the paper's figures. The numbers are
// illustrative test fixtures, not results.

var plugins = []string{"bare metal", "flannel", "weave", "cilium", "calico", "kube-router"}

func fig3Bars() Bars {
	return Bars{
		Title:      "TCP throughput, inter-host, 10 Gbit/s link (fixture)",
		YLabel:     "throughput (Gbit/s)",
		Categories: plugins,
		Series: []Series{
			{Name: "MTU 1500", Mean: []float64{9.4, 8.1, 7.2, 8.6, 8.9, 9.1}, CI95: []float64{0.1, 0.3, 0.4, 0.2, 0.2, 0.1}},
			{Name: "MTU 9000", Mean: []float64{9.9, 9.5, 9.0, 9.6, 9.7, 9.8}, CI95: []float64{0.05, 0.2, 0.3, 0.1, 0.1, 0.05}},
		},
	}
}

func fig6Bars() Bars {
	return Bars{
		Title:      "FIB lookups, inter-host TCP stream (fixture)",
		YLabel:     "FIB lookups per 100k packets",
		Categories: plugins[1:],
		Series:     []Series{{Mean: []float64{200e3, 200e3, 100e3, 200e3, 300e3}}},
	}
}

func fig4Stacked() Stacked {
	return Stacked{
		Title:      "Cycles per packet by stage, inter-host (fixture)",
		YLabel:     "cycles per packet",
		Categories: plugins[1:],
		Layers: []Layer{
			{Name: "veth", Values: []float64{45, 90, 0, 45, 45}},
			{Name: "bridge", Values: []float64{250, 0, 0, 0, 0}},
			{Name: "fib", Values: []float64{700, 700, 0, 700, 1400}},
			{Name: "netfilter", Values: []float64{1470, 1470, 0, 2200, 1470}},
			{Name: "ebpf", Values: []float64{0, 0, 1550, 0, 0}},
			{Name: "vxlan", Values: []float64{900, 900, 900, 0, 0}},
			{Name: "ipip", Values: []float64{0, 0, 0, 250, 0}},
			{Name: "ovs", Values: []float64{0, 250, 0, 0, 0}},
			{Name: "gre", Values: []float64{0, 0, 0, 0, 0}}, // all zero: left out
		},
	}
}

func mtuLines() Lines {
	return Lines{
		Title:  "TCP throughput vs pod MTU, inter-host (fixture)",
		XLabel: "pod MTU (bytes)",
		YLabel: "throughput (Gbit/s)",
		Series: []LineSeries{
			{Name: "flannel vxlan", X: []float64{1000, 1450, 3000, 8950}, Y: []float64{5.1, 6.9, 8.4, 9.4}, CI95: []float64{0.2, 0.2, 0.1, 0.1}},
			{Name: "calico native", X: []float64{1000, 1500, 3000, 9000}, Y: []float64{6.0, 8.0, 9.1, 9.7}},
		},
	}
}

func linkLines() Lines {
	return Lines{
		Title:  "TCP throughput vs link speed (fixture)",
		XLabel: "link speed (Gbit/s)",
		YLabel: "throughput (Gbit/s)",
		LogX:   true,
		Series: []LineSeries{{X: []float64{1, 10, 25, 40, 100}, Y: []float64{0.94, 9.1, 17, 19, 21}}},
	}
}

func asyncTimeSeries() TimeSeries {
	t := []float64{0, 0.5, 1.0, 1.001, 1.1, 1.2, 1.3, 1.5, 2}
	return TimeSeries{
		Title:  "curl download, asynchronous CNI: first SYN lost (fixture)",
		XLabel: "time since first SYN (s)",
		Panels: []Panel{
			{YLabel: "throughput (Gbit/s)", Series: []LineSeries{{Name: "goodput", X: t, Y: []float64{0, 0, 0, 0.1, 2, 6, 8.5, 9.2, 9.3}}}},
			{YLabel: "cwnd (segments)", Step: true, Series: []LineSeries{{Name: "cwnd", X: t, Y: []float64{0, 0, 0, 10, 40, 160, 320, 400, 420}}}},
		},
	}
}

// asyncMarked is the async fixture with its SYNs and establishment marked.
func asyncMarked() TimeSeries {
	ts := asyncTimeSeries()
	ts.Title = "curl download, asynchronous CNI: SYNs marked (fixture)"
	marks := []Mark{{X: 0, Label: "SYN"}, {X: 1, Label: "SYN retry"}, {X: 1.001, Label: "established"}}
	for i := range ts.Panels {
		ts.Panels[i].Marks = marks
	}
	return ts
}

func latencyCDF() CDF {
	return CDF{
		Title:  "TCP_RR latency, inter-host (fixture)",
		XLabel: "round-trip latency (µs)",
		Series: []Samples{
			{Name: "flannel", Values: []float64{31, 29, 35, 30, 33, 40, 30, 32}},
			{Name: "cilium", Values: []float64{27, 26, 30, 28, 27, 35, 26, 29}},
		},
	}
}

// encapLines is whatif-encap-vs-direct at two replications: intervals wider
// than the data, cut at 0 and at each link rate's goodput bound.
func encapLines() Lines {
	bound := []float64{9.49, 23.7, 94.9}
	return Lines{
		Title:  "Overlay vs native, 4 TCP streams, clipped whiskers (fixture)",
		XLabel: "link rate (Gbit/s)",
		YLabel: "throughput (Gbit/s)",
		LogX:   true,
		Series: []LineSeries{
			{Name: "flannel vxlan", X: []float64{10, 25, 100}, Y: []float64{9.1, 21, 30}, CI95: []float64{0.5, 12, 53}, Max: bound},
			{Name: "flannel host-gw", X: []float64{10, 25, 100}, Y: []float64{9.4, 23, 55}, CI95: []float64{0.1, 3, 107}, Max: bound},
			{Name: "calico ipip", X: []float64{10, 25, 100}, Y: []float64{9.2, 22, 35}, CI95: []float64{0.2, 2, 20}, Max: bound},
		},
	}
}

// absentBars has modes a plugin lacks (NaN: no bar) and a whisker cut at
// the 10 Gbit/s link's goodput bound.
func absentBars() Bars {
	nan := math.NaN()
	return Bars{
		Title:      "TCP at MTU 9000, absent modes and clipped whiskers (fixture)",
		YLabel:     "throughput (Gbit/s)",
		Categories: []string{"flannel", "weave", "calico", "host (no CNI)"},
		Series: []Series{
			{Name: "encapsulation", Mean: []float64{9.6, 9.5, 9.7, nan}, CI95: []float64{0.1, 0.8, 0.1, 0}, Max: []float64{9.9, 9.9, 9.9, 9.9}},
			{Name: "direct routing", Mean: []float64{9.8, nan, 9.8, 9.9}, CI95: []float64{0.05, 0, 0.05, 0.02}},
		},
	}
}
