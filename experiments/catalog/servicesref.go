package catalog

// The public reference of whatif-services: kube-proxy's first-packet
// latency in iptables mode at three cluster sizes and four percentiles.
//
// Source (provenance "quoted"): Dan Winship (Red Hat), "NFTables mode for
// kube-proxy", Kubernetes blog, 2025-02-28,
// https://kubernetes.io/blog/2025/02/28/nftables-kube-proxy/, figure 1,
// "kube-proxy iptables first packet latency, at various percentiles, in
// clusters of various sizes" (file iptables-only.svg of
// github.com/kubernetes/website, content/en/blog/_posts/
// 2025-02-28-nftables-kube-proxy/). The blog credits the data to the
// KubeCon NA 2024 talk "From Observability to Performance" and links its
// raw spreadsheet (not read here). The figure gives no hardware, kernel,
// ports per Service or endpoint count.
//
// The figure is a bar chart with the percentiles p01, p50, p90, p99 on the
// x axis and one bar per cluster (5,000, 10,000, 30,000 Services: the
// legend); the y axis is labelled 0 to 0.8 with no unit in the text; it is
// milliseconds, as the blog's prose requires ("in the 30,000 Service
// cluster, the worst-case latency for nftables manages to beat out the
// best-case latency for iptables by a few microseconds": p01 at 30,000 is
// 11.45 px = 0.042 of the axis unit). Each bar is an SVG path whose top
// edge is an integer y coordinate; the plot area spans y = 332.45 (0) to
// 111.78 (0.8), so a bar topped at y is (332.45 - y) / 275.83 ms, read to
// +-0.5 px = +-1.8 µs. The tops are kept below as read so the reading can
// be checked against the file.

// blogPxPerMs is the figure's vertical scale: (332.45 - 111.78333) / 0.8.
const blogPxPerMs = (332.45 - 111.78333) / 0.8

// blogZeroY is the y coordinate of 0 ms (the plot area's bottom edge).
const blogZeroY = 332.45

// blogServices are the figure's cluster sizes (the legend's series).
var blogServices = []int{5000, 10000, 30000}

// blogPercentiles are the figure's x-axis groups.
var blogPercentiles = []string{"p01", "p50", "p90", "p99"}

// blogBarTopY[p][s] is the top y coordinate of the bar of percentile
// blogPercentiles[p] for blogServices[s], read from iptables-only.svg.
var blogBarTopY = [4][3]float64{
	{328, 329, 321}, // p01 (x 90-169)
	{319, 315, 257}, // p50 (x 213-292)
	{299, 280, 196}, // p90 (x 336-415)
	{290, 261, 135}, // p99 (x 459-538)
}

// blogLatencyUs is the reference's first-packet latency in µs at
// percentile index p and Service index s.
func blogLatencyUs(p, s int) float64 {
	return (blogZeroY - blogBarTopY[p][s]) / blogPxPerMs * 1000
}

// blogSlopeNsPerService is the reference's growth of percentile p per
// Service between the cluster sizes of indices a < b, in ns per Service.
func blogSlopeNsPerService(p, a, b int) float64 {
	return (blogLatencyUs(p, b) - blogLatencyUs(p, a)) * 1000 / float64(blogServices[b]-blogServices[a])
}

// blogSource is how a check names the reference.
const blogSource = "kubernetes.io/blog/2025/02/28/nftables-kube-proxy, fig. 1 (iptables first-packet latency; bars read from iptables-only.svg, quoted)"

// blogNsPerRule is the iptables per-rule cost the kubeproxy-blog-2025
// layer derives from the reference (calibration/profiles/
// kubeproxy-blog-2025.toml): twice the p50 slope between 5,000 and 30,000
// Services, the median Service being half-way down KUBE-SERVICES.
func blogNsPerRule() float64 { return 2 * blogSlopeNsPerService(1, 0, 2) }
