package fit

import (
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
)

// ModelConfigs gives a row's configuration from the CNI model on the node
// whose CPP was measured (formula III.1 on that node): the receiving node
// inter-host, the one node intra-host. Its crossings are
// cni.Model.NodeCrossings, the definition the simulator charges (each data
// packet every step on the node, each pure ACK every non-recv step it
// crosses going back); the pod MTU is the plugin's on the row's underlay
// MTU, with the row's encryption. Crossings do not depend on the MTU; an empty mode is the plugin's
// default. Models are loaded once per plugin (a built-in name or a file).
func ModelConfigs() ConfigFunc {
	models := map[string]*cni.Model{}
	return func(r Row) (Config, error) {
		m, ok := models[r.Plugin]
		if !ok {
			var err error
			if m, err = cni.Load(r.Plugin); err != nil {
				return Config{}, err
			}
			models[r.Plugin] = m
		}
		mode := r.Mode
		if mode == "" {
			mode = m.DefaultMode
		}
		opt := cni.PathOptions{Encrypt: r.Encrypt}
		c, err := m.NodeCrossings(mode, datapath.Placement(r.Placement), opt, datapath.Dst)
		if err != nil {
			return Config{}, err
		}
		podMTU, err := m.PodMTU(mode, r.MTU, opt)
		if err != nil {
			return Config{}, err
		}
		return Config{Crossings: c, PodMTU: podMTU}, nil
	}
}
