package simulate

import (
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/models/workload"
)

// traceCapture returns what gives a replication its packet capture: a new
// tcp.Capture for the replication sc's [trace] names, nil for the others
// (and for every one when trace.pcap is off).
func traceCapture(sc *scenario.Scenario) (func(rep int) *tcp.Capture, error) {
	t := sc.Trace
	if !t.Pcap {
		return func(int) *tcp.Capture { return nil }, nil
	}
	nodes, err := scenario.ParseTraceNodes(t.Nodes, sc.Cluster.Nodes)
	if err != nil {
		return nil, keyed("trace.nodes", err)
	}
	port := serverPort(sc)
	return func(rep int) *tcp.Capture {
		if rep != t.Replication {
			return nil
		}
		cp := tcp.NewCapture(nodes, int64(t.MaxMB*1e6), port)
		cp.NIC = t.Point == "nic"
		return cp
	}, nil
}

// serverPort is the port a workload's servers listen on: HTTP's and a
// Service's 80, else iperf3's 5201.
func serverPort(sc *scenario.Scenario) uint16 {
	switch {
	case sc.Workload.Kind == workload.HTTPDownload, sc.Workload.Kind == workload.HTTPLoad, sc.Workload.Kind == workload.NodePort,
		sc.Workload.Target == "service":
		return 80
	}
	return 5201
}
