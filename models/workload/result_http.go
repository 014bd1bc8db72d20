package workload

// HTTPResult holds what the http workloads measure beyond Result's common
// fields.
type HTTPResult struct {
	// ThroughputCurlMbps and ThroughputIperf3Mbps are http_download's body
	// bytes over (completion - first connection attempt) and over
	// (completion - establishment); ThroughputMbps is the one
	// HTTP.Client names.
	ThroughputCurlMbps   float64
	ThroughputIperf3Mbps float64
	CompletionS          float64 // http_download: first attempt -> last body byte read
	// SynSentS and EstablishedS are the download connection's SYNs (the
	// first and each retry) and its establishment, in seconds of simulated
	// time: what a time series of the download marks.
	SynSentS     []float64
	EstablishedS float64
	// RequestsPerS is http_load's completed requests per second over
	// [Warmup, Duration] (wrk's Requests/sec).
	RequestsPerS float64
	// CPUByContext splits busy cores over the measured interval: the
	// applications' own work (server_app, client_app) and the datapath
	// stages on each pod's node (server_stack, client_stack; one "stack"
	// when both pods share a node).
	CPUByContext map[string]float64
}

// LaunchResult is the launched client pod's timeline, in seconds from its
// creation.
type LaunchResult struct {
	Launched bool
	// PodReadyS is creation -> container started (the client starts).
	PodReadyS float64
	// PodNetworkWaitS is how long the started pod's packets were still
	// dropped (asynchronous CNI set-up): max(0, network ready - started).
	PodNetworkWaitS float64
}
