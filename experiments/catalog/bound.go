package catalog

import (
	"math"

	"github.com/cnisim/cnisim/experiments/simulate"
	"github.com/cnisim/cnisim/models/datapath"
)

// wireBoundMbps is the goodput a TCP stream reaches with free CPUs (DESIGN
// 2, Hosts): link rate x MSS / bytes on the wire per segment, with MSS =
// pod MTU - 52 (IPv4, TCP, timestamps) and the wire carrying the segment,
// the encapsulation and the frame overhead. NaN if the point cannot be
// resolved. A closed form, not a simulation: it says how close to the
// link each configuration could get.
func wireBoundMbps(r Row) float64 {
	sc := r.Run.Plan.Point(r.Index).Scenario
	st, err := simulate.Resolve(sc)
	if err != nil {
		return math.NaN()
	}
	mss := float64(datapath.MSS(st.PodMTU))
	wire := float64(st.PodMTU+st.Forward.EncapBytes) + float64(sc.Cluster.FrameOverhead)
	return sc.Cluster.LinkGbps * 1000 * mss / wire
}

// display names of the built-in plugins, as the paper writes them.
var display = map[string]string{
	"flannel": "Flannel", "weave": "Weave", "cilium": "Cilium", "calico": "Calico",
	"kube-router": "Kube-router", "host": "host (no CNI)",
}

func displayName(p string) string {
	if d, ok := display[p]; ok {
		return d
	}
	return p
}
