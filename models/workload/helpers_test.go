package workload

import (
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/datapath/datapathtest"
	"github.com/cnisim/cnisim/models/network"
	"github.com/cnisim/cnisim/sim"
)

// shared test paths (models/datapath/datapathtest)
var (
	step     = datapathtest.Step
	hostPath = datapathtest.HostPath
)

func baseConfig(kind string) Config {
	return Config{
		Cluster: network.DefaultConfig(), Placement: datapath.Inter,
		Forward: hostPath(1), Reverse: hostPath(1), PodMTU: 1500,
		Duration: 300 * sim.Millisecond, Warmup: 50 * sim.Millisecond,
		Seed: 1, Workload: Workload{Kind: kind},
	}
}
