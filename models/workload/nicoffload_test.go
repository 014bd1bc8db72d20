package workload

import (
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
)

// TestNICOffloadsMonotone: with cluster.offloads, more NIC offload
// capability never lowers a VXLAN stream's throughput (none, then TSO and
// GRO without tunnel segmentation, then all), and the default (all) is
// the global switch's behaviour.
func TestNICOffloadsMonotone(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: simulates every offload combination (~1 s)")
	}
	S, D := datapath.Src, datapath.Dst
	path := datapath.CostedPath{InterHost: true, EncapBytes: 50, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, 300, 0),
		step(datapath.SocketCopy, S, datapath.Send, 100, 0.2),
		step(datapath.VXLAN, S, datapath.Send, 900, 0),
		step(datapath.NIC, S, datapath.Send, 200, 0),
		step(datapath.NIC, D, datapath.Softirq, 200, 0),
		step(datapath.VXLAN, D, datapath.Softirq, 900, 0),
		step(datapath.TCP, D, datapath.Softirq, 300, 0),
		step(datapath.SocketCopy, D, datapath.Recv, 100, 0.2),
	}}
	prev := 0.0
	for _, nic := range []string{"none", "tso,gro", "all"} {
		cfg := baseConfig(TCPStream)
		cfg.Forward, cfg.Reverse = path, path
		cfg.PodMTU = 1450
		cfg.Cluster.Offloads = true
		cfg.Cluster.LinkGbps = 100
		cfg.Cluster.CoresPerNode = 2
		var err error
		if cfg.Cluster.NICOffloads, err = network.ParseNICOffloads(nic); err != nil {
			t.Fatal(err)
		}
		got := run(t, cfg).ThroughputMbps
		// CPU-bound at 100 Gbit/s, so each added offload must raise the
		// throughput, not merely keep it.
		if got <= prev {
			t.Errorf("nic_offloads %q: %.1f Mbit/s, not above %.1f with fewer offloads", nic, got, prev)
		}
		t.Logf("nic_offloads %q: %.1f Mbit/s", nic, got)
		prev = got
	}
}
