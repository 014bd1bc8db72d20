package simulate

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/models/service"
	"github.com/cnisim/cnisim/models/workload"
)

// Metric names of the Service model (DESIGN 4, "New metrics").
const (
	ConnectionsPerSec = "connections_per_s" // connections established per second in the window
	FirstPacketMicros = "first_packet_us"   // distribution: connect() -> SYN at the endpoint
	ConntrackEntries  = "conntrack_entries" // client node's table occupancy at the end
	ConntrackDrops    = "conntrack_drops"   // new connections dropped by a full table
	// CoresPer1kCPS is a group: node0 (the client's), node1, ...: CPU
	// cores busy per 1,000 connections per second.
	CoresPer1kCPS = "cores_per_1k_cps"
	// NodePortSecondHop: the share of nodeport connections whose endpoint
	// was on another node than the ingress node.
	NodePortSecondHop = "nodeport_second_hop"
)

// services resolves the [service] table: nil without Services
// (service.count = 0), except for nodeport, which needs one Service at
// least and takes count 0 as 1.
func services(sc *scenario.Scenario, st *Setup) (*workload.Services, error) {
	cfg := sc.ServiceConfig()
	if cfg.Count == 0 {
		if sc.Workload.Kind != workload.NodePort {
			return nil, nil
		}
		cfg.Count = 1
	}
	cfg = cfg.Defaults(st.Model.Name, string(st.Options.Engine))
	p, err := service.NewPlan(cfg, st.Profile, st.Model.Name, st.Mode)
	if err != nil {
		return nil, keyed("service", err)
	}
	return &workload.Services{Plan: p, Target: sc.Workload.Target}, nil
}

// fillServices maps the Service metrics.
func fillServices(s *run.Sample, r *workload.Result, applies map[string]bool) {
	if applies[ConnectionsPerSec] {
		s.Set(ConnectionsPerSec, r.ConnectionsPerS)
	}
	if applies[FirstPacketMicros] && r.FirstPacket != nil {
		st := r.FirstPacket.Strata(MaxDistSamples)
		for i := range st {
			st[i] *= 1e6
		}
		s.Observe(FirstPacketMicros, st...)
	}
	if applies[CoresPer1kCPS] {
		for i, v := range r.CoresPer1kCPS {
			s.SetGroup(CoresPer1kCPS, fmt.Sprintf("node%d", i), v)
		}
	}
	if applies[NodePortSecondHop] {
		s.Set(NodePortSecondHop, r.NodePortSecondHop)
	}
	if applies[ConntrackEntries] {
		s.Set(ConntrackEntries, float64(r.ConntrackEntries))
		s.Set(ConntrackDrops, float64(r.ConntrackDrops))
	}
}
