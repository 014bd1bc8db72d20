package simulate

import (
	"errors"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/internal/field"
)

// scenarioKey maps the models' field names (internal/field) to the
// scenario keys that set them: the one place where a model's field meets
// the file's key, so that an error names the key and Load can point at
// its line or --set flag. Fields no scenario key sets are in noKey.
var scenarioKey = map[string]string{
	"network.Config.Nodes":            "cluster.nodes",
	"network.Config.CoresPerNode":     "cluster.cores_per_node",
	"network.Config.GHz":              "cluster.cpu_ghz",
	"network.Config.LinkGbps":         "cluster.link_gbps",
	"network.Config.LinkDelay":        "cluster.link_delay",
	"network.Config.MTU":              "cluster.mtu",
	"network.Config.FrameOverhead":    "cluster.frame_overhead",
	"network.Config.QdiscLen":         "cluster.qdisc_packets",
	"network.Config.Qdisc":            "cluster.qdisc",
	"network.FQCoDel.Target":          "cluster.fq_codel_target",
	"network.FQCoDel.Interval":        "cluster.fq_codel_interval",
	"network.FQCoDel.Limit":           "cluster.fq_codel_limit",
	"network.FQCoDel.CEThreshold":     "cluster.fq_codel_ce_threshold",
	"network.Config.CPUJitter":        "cluster.cpu_jitter",
	"network.Config.GROFrameCycles":   "calibration.gro_frame_cycles",
	"network.Config.GSOSegmentCycles": "calibration.gso_segment_cycles",
	"network.Config.FragmentCycles":   "calibration.fragment_cycles",
	"network.Config.ReassembleCycles": "calibration.reassemble_cycles",
	"network.Config.RxUsecs":          "cluster.rx_usecs",
	"network.Config.WakeupLatency":    "cluster.wakeup_us",
	"network.Config.TimeSlice":        "cluster.timeslice_us",
	"network.Config.TBFBurstFrames":   "cluster.tbf_burst_frames",
	"network.Config.TSQThroughFabric": "cluster.tsq_through_fabric",
	"network.Config.TSQOrphan":        "cluster.tsq_orphan",
	"network.NICOffloads":             "cluster.nic_offloads",
	"network.Fabric.Kind":             "fabric.kind",
	"network.Fabric.PerHop":           "fabric.per_hop",
	"network.Fabric.Alpha":            "fabric.buffer_alpha",
	"network.Fabric.Leaves":           "fabric.leaves",
	"network.Fabric.Spines":           "fabric.spines",
	"network.Fabric.NodesPerLeaf":     "fabric.nodes_per_leaf",
	"network.Fabric.UplinkGbps":       "fabric.uplink_gbps",
	"network.Fabric.BufferBytes":      "fabric.buffer_bytes",
	"network.Fabric.ECNThreshold":     "fabric.ecn_threshold_bytes",
	"network.Fabric.ECNMax":           "fabric.ecn_max_bytes",
	"network.Fabric.ECNMaxProb":       "fabric.ecn_max_probability",
	"network.Fabric.DropNotECT":       "fabric.drop_not_ect",
	"network.Fabric.Failed":           "fabric.failed_links",
	"network.Fabric.FailAt":           "fabric.fail_at",
	"network.Fabric.RecoverAt":        "fabric.recover_at",
	"network.Fabric.FlapEvery":        "fabric.flap_every",
	"network.Fabric.Slow":             "fabric.slow_links",
	"network.Fabric.Lossy":            "fabric.lossy_links",

	"tcp.Options.Congestion":  "tcp.congestion",
	"tcp.Options.SynSchedule": "tcp.syn_schedule",
	"tcp.Options.RcvBuf":      "tcp.rmem",
	"tcp.Options.TSQBytes":    "tcp.limit_output_bytes",
	"tcp.Options.AckEvery":    "tcp.ack_every",
	"tcp.Options.AckPolicy":   "tcp.ack_policy",
	"tcp.Options.MinRTO":      "tcp.min_rto",
	"tcp.Options.HZ":          "tcp.hz",
	"tcp.Options.WriteBytes":  "workload.write_bytes",
	"tcp.Options.ReadBytes":   "workload.read_bytes",
	"tcp.Conn.PodMTU":         "cni.pod_mtu",

	"service.Config.Count":                    "service.count",
	"service.Config.Endpoints":                "service.endpoints",
	"service.Config.PortCount":                "service.port_count",
	"service.Config.Proxy":                    "service.proxy",
	"service.Config.ConntrackMax":             "service.conntrack_max",
	"service.Config.TimeWait":                 "service.time_wait",
	"service.Config.Zipf":                     "service.zipf",
	"service.Config.ExternalTrafficPolicy":    "service.external_traffic_policy",
	"workload.Services.ExternalTrafficPolicy": "service.external_traffic_policy",

	"workload.Config.Placement":        "workload.placement",
	"workload.Config.PodMTU":           "cni.pod_mtu",
	"workload.Workload.Kind":           "workload.kind",
	"workload.Workload.BulkStreams":    "workload.bulk_streams",
	"workload.Config.Duration":         "duration",
	"workload.Config.Warmup":           "warmup",
	"workload.Workload.Streams":        "workload.streams",
	"workload.Workload.RateMbps":       "workload.rate_mbps",
	"workload.Workload.MessageBytes":   "workload.message_bytes",
	"workload.Workload.Pattern":        "workload.pattern",
	"workload.Workload.PodsPerNode":    "workload.pods_per_node",
	"workload.Workload.IncastSenders":  "workload.incast_senders",
	"workload.Workload.NodePortStyle":  "workload.nodeport_style",
	"workload.Workload.Load":           "workload.load",
	"workload.Workload.RackLocal":      "workload.rack_local",
	"workload.Workload.Matrix":         "workload.matrix",
	"workload.Workload.MatrixScale":    "workload.matrix_scale",
	"workload.Workload.QueryRate":      "workload.query_rate",
	"workload.Workload.QueryFanIn":     "workload.query_fanin",
	"workload.Workload.QueryBytes":     "workload.query_bytes",
	"workload.Workload.QueryFrom":      "workload.query_from",
	"workload.Workload.QueryUntil":     "workload.query_until",
	"workload.Workload.MeasureUntil":   "workload.measure_until",
	"workload.Services.Target":         "workload.target",
	"workload.HTTP.FileBytes":          "workload.file_bytes",
	"workload.HTTP.Client":             "workload.client",
	"workload.HTTP.Threads":            "workload.threads",
	"workload.HTTP.Connections":        "workload.connections",
	"workload.HTTP.SndBuf":             "tcp.wmem",
	"workload.Server.Cores":            "workload.server.cores",
	"workload.Server.CyclesPerRequest": "workload.server.cycles_per_request",
	"workload.Server.CyclesPerByte":    "workload.server.cycles_per_byte",
}

// noKey lists the model fields that no scenario key sets (their defaults
// hold): an error in one is a cnisim bug, reported as it is.
var noKey = map[string]bool{
	"network.Config.RxRing":         true,
	"network.Config.DaemonCore":     true,
	"network.Fabric.StatsFrom":      true,
	"tcp.Options.SynRetries":        true,
	"tcp.Options.InitCwnd":          true,
	"workload.Workload.StartJitter": true,
}

// keyed attributes err to a scenario key: a model's field error to the
// key that sets the field, any other error to key (the key whose value
// the failing step resolved; with "" other errors pass unchanged). The
// scenario layer fills in the value and its line.
func keyed(key string, err error) error {
	if err == nil {
		return nil
	}
	var se *scenario.FieldError
	if errors.As(err, &se) {
		return err
	}
	msg := err.Error()
	var fe *field.Error
	if errors.As(err, &fe) {
		if k, ok := scenarioKey[fe.Field]; ok {
			key, msg = k, fe.Msg
		}
	}
	if key == "" {
		return err
	}
	return &scenario.FieldError{Key: key, Msg: msg, Cause: err}
}
