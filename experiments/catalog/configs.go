package catalog

import (
	"sync"

	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
)

// config is one bar of the paper's figures: a plugin configuration,
// located in a run by its sweep parameters.
type config struct {
	Label string
	File  string
	KV    []any
	// Native is true for native (underlay) routing between hosts, the
	// paper's "native routing solutions" (III.C).
	Native bool
}

// paperNative says which inter-host configurations of the paper route
// natively (cni.PaperConfig.Native), read once from the built-in models:
// an error is a bug that every analysis of Fig. 3, 5 and 6 would hit.
var paperNative = sync.OnceValue(func() map[string]bool {
	out := map[string]bool{}
	for _, c := range cni.PaperConfigs(datapath.Inter) {
		n, err := c.Native()
		if err != nil {
			panic(err)
		}
		out[c.Label] = n
	}
	return out
})

// configsOf locates the paper's configurations of a placement in the
// scenario files prefix-PLACEMENT.toml, which sweeps cni.plugin over the
// plugins in their default (the paper's) modes, and
// prefix-PLACEMENT-calico.toml, which sweeps Calico's cni.policy (wp/np)
// and, inter-host, cni.mode (ipip, native: "xsub").
func configsOf(prefix string, pl datapath.Placement) []config {
	f, cf := prefix+"-"+string(pl)+".toml", prefix+"-"+string(pl)+"-calico.toml"
	var out []config
	for _, c := range cni.PaperConfigs(pl) {
		cfg := config{Label: c.Label, File: f, KV: []any{"cni.plugin", c.Plugin}, Native: pl == datapath.Inter && paperNative()[c.Label]}
		if c.Plugin == "calico" {
			cfg.File, cfg.KV = cf, []any{"cni.policy", c.Policy}
			if c.Mode != "" {
				cfg.KV = []any{"cni.mode", c.Mode, "cni.policy", c.Policy}
			}
		}
		out = append(out, cfg)
	}
	return out
}

// intraConfigs are Fig. 3(a)-(c) and Fig. 4's bars.
func intraConfigs(prefix string) []config { return configsOf(prefix, datapath.Intra) }

// interConfigs are Fig. 3(d)-(f), 5 and 6's bars.
func interConfigs(prefix string) []config { return configsOf(prefix, datapath.Inter) }

func labels(cs []config) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Label
	}
	return out
}

// rows finds each config's point, with extra key/value pairs appended.
func (d *Data) rows(cs []config, extra ...any) ([]Row, error) {
	out := make([]Row, len(cs))
	for i, c := range cs {
		r, err := d.Find(c.File, append(append([]any{}, c.KV...), extra...)...)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// means returns metric's mean (scaled by k) and CI half-width per row.
func means(rs []Row, metric string, k float64) (mean, ci []float64) {
	for _, r := range rs {
		s, _ := r.Stat(metric)
		mean = append(mean, s.Mean*k)
		ci = append(ci, s.CI95*k)
	}
	return mean, ci
}

// bounds returns gbpsBound per row: the throughput whiskers' upper bounds.
func bounds(rs []Row) []float64 {
	out := make([]float64, len(rs))
	for i, r := range rs {
		out[i] = gbpsBound(r)
	}
	return out
}
