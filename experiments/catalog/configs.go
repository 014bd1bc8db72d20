package catalog

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

// intraConfigs are Fig. 3(a)-(c) and Fig. 4's bars: scenario files
// prefix-intra.toml and prefix-intra-calico.toml.
func intraConfigs(prefix string) []config {
	f, c := prefix+"-intra.toml", prefix+"-intra-calico.toml"
	return []config{
		{Label: "Flannel", File: f, KV: []any{"cni.plugin", "flannel"}},
		{Label: "Weave", File: f, KV: []any{"cni.plugin", "weave"}},
		{Label: "Cilium", File: f, KV: []any{"cni.plugin", "cilium"}},
		{Label: "Kube-router", File: f, KV: []any{"cni.plugin", "kube-router"}},
		{Label: "Calico-np", File: c, KV: []any{"cni.policy", false}},
		{Label: "Calico-wp", File: c, KV: []any{"cni.policy", true}},
	}
}

// interConfigs are Fig. 3(d)-(f), 5 and 6's bars (the paper's names:
// "xsub" is Calico's native routing).
func interConfigs(prefix string) []config {
	f, c := prefix+"-inter.toml", prefix+"-inter-calico.toml"
	return []config{
		{Label: "Flannel", File: f, KV: []any{"cni.plugin", "flannel"}},
		{Label: "Weave", File: f, KV: []any{"cni.plugin", "weave"}},
		{Label: "Cilium", File: f, KV: []any{"cni.plugin", "cilium"}},
		{Label: "Kube-router", File: f, KV: []any{"cni.plugin", "kube-router"}, Native: true},
		{Label: "Cali-np-ipip", File: c, KV: []any{"cni.mode", "ipip", "cni.policy", false}},
		{Label: "Cali-wp-ipip", File: c, KV: []any{"cni.mode", "ipip", "cni.policy", true}},
		{Label: "Cali-np-xsub", File: c, KV: []any{"cni.mode", "native", "cni.policy", false}, Native: true},
		{Label: "Cali-wp-xsub", File: c, KV: []any{"cni.mode", "native", "cni.policy", true}, Native: true},
	}
}

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
