package podlaunch

import (
	"fmt"
	"regexp"
	"sort"
)

// PluginParams is one CNI plugin's network set-up model.
type PluginParams struct {
	Plugin string `toml:"plugin"`
	// CNI is false for host networking: no CNI call at all.
	CNI *bool `toml:"cni"`
	// Serialize is the scope of the plugin's per-node lock: none, ipam
	// (only address allocation is serialised) or add (the whole blocking
	// part of ADD).
	Serialize *StringParam `toml:"serialize"`
	// Policy says whether the plugin programs policy for a new endpoint:
	// always, optional (Config.Policy decides: Calico wp/np) or never.
	Policy *StringParam          `toml:"policy"`
	Stage  map[string]*StageSpec `toml:"stage"`
}

// ClusterParams holds the control-plane and node stages shared by every
// plugin, and the default concurrency limits.
type ClusterParams struct {
	Stage  map[string]*StageSpec `toml:"stage"`
	Limits LimitParams           `toml:"limits"`
}

// LimitParams are the default limits with their provenance.
type LimitParams struct {
	APIQPS               *FloatParam `toml:"api_qps"`
	APIBurst             *IntParam   `toml:"api_burst"`
	APIInflight          *IntParam   `toml:"api_inflight"`
	SchedulerParallelism *IntParam   `toml:"scheduler_parallelism"`
	BindQPS              *FloatParam `toml:"bind_qps"`
	BindBurst            *IntParam   `toml:"bind_burst"`
	KubeletWorkers       *IntParam   `toml:"kubelet_workers"`
	KubeletQPS           *FloatParam `toml:"kubelet_qps"`
	KubeletBurst         *IntParam   `toml:"kubelet_burst"`
}

var (
	pluginRootKeys  = []string{"plugin", "cni", "serialize", "policy", "stage"}
	clusterRootKeys = []string{"stage", "limits"}
	limitKeys       = []string{"api_qps", "api_burst", "api_inflight", "scheduler_parallelism",
		"bind_qps", "bind_burst", "kubelet_workers", "kubelet_qps", "kubelet_burst"}
	serializeScopes = []string{"none", "ipam", "add"}
	policyModes     = []string{"always", "optional", "never"}
	pluginName      = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

func stageNamesOf(ss []Stage) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.String()
	}
	return out
}

// HasCNI reports whether the plugin makes a CNI call.
func (p *PluginParams) HasCNI() bool { return p.CNI == nil || *p.CNI }

// SerializeScope returns none, ipam or add.
func (p *PluginParams) SerializeScope() string {
	if p.Serialize == nil {
		return "none"
	}
	return p.Serialize.Value
}

// PolicyMode returns always, optional or never.
func (p *PluginParams) PolicyMode() string {
	if p.Policy == nil {
		return "never"
	}
	return p.Policy.Value
}

func (p *PluginParams) validate() []error {
	var errs []error
	bad := func(path []string, format string, a ...any) {
		errs = append(errs, &fieldError{path, fmt.Sprintf(format, a...)})
	}
	if !pluginName.MatchString(p.Plugin) {
		bad([]string{"plugin"}, "%q: want a lower-case name such as \"weave\"", p.Plugin)
	}
	if !p.HasCNI() {
		if p.Serialize != nil {
			bad([]string{"serialize"}, "not allowed with cni = false")
		}
		if p.Policy != nil {
			bad([]string{"policy"}, "not allowed with cni = false")
		}
		if len(p.Stage) > 0 {
			bad([]string{"stage"}, "not allowed with cni = false (no CNI call, no CNI stages)")
		}
		return errs
	}
	for _, sp := range []struct {
		key     string
		p       *StringParam
		allowed []string
	}{{"serialize", p.Serialize, serializeScopes}, {"policy", p.Policy, policyModes}} {
		if sp.p == nil {
			bad([]string{sp.key}, "missing (one of %s)", list(sp.allowed))
			continue
		}
		if !contains(sp.allowed, sp.p.Value) {
			bad([]string{sp.key, "value"}, "%q is not one of %s", sp.p.Value, list(sp.allowed))
		}
		if err := sp.p.check(); err != nil {
			bad([]string{sp.key}, "%v", err)
		}
	}
	want := stageNamesOf(cniStages)
	if p.Policy != nil && p.Policy.Value == "never" {
		want = stageNamesOf([]Stage{CNIIPAM, CNIVeth, CNIRoutes, CNILabels})
	}
	return append(errs, validateStages(p.Stage, want)...)
}

func (c *ClusterParams) validate() []error {
	errs := validateStages(c.Stage, stageNamesOf(clusterStages))
	l := c.Limits
	type lim struct {
		key   string
		prov  *Provenance
		value float64
		min   float64
	}
	var ls []lim
	addF := func(k string, p *FloatParam, min float64) {
		if p == nil {
			errs = append(errs, &fieldError{[]string{"limits", k}, "missing"})
			return
		}
		ls = append(ls, lim{k, &p.Provenance, p.Value, min})
	}
	addI := func(k string, p *IntParam, min float64) {
		if p == nil {
			errs = append(errs, &fieldError{[]string{"limits", k}, "missing"})
			return
		}
		ls = append(ls, lim{k, &p.Provenance, float64(p.Value), min})
	}
	addF("api_qps", l.APIQPS, 0)
	addI("api_burst", l.APIBurst, 1)
	addI("api_inflight", l.APIInflight, 0)
	addI("scheduler_parallelism", l.SchedulerParallelism, 1)
	addF("bind_qps", l.BindQPS, 0)
	addI("bind_burst", l.BindBurst, 1)
	addI("kubelet_workers", l.KubeletWorkers, 0)
	addF("kubelet_qps", l.KubeletQPS, 0)
	addI("kubelet_burst", l.KubeletBurst, 1)
	for _, x := range ls {
		if !(x.value >= x.min) {
			errs = append(errs, &fieldError{[]string{"limits", x.key, "value"}, fmt.Sprintf("must be >= %g, got %g", x.min, x.value)})
		}
		if err := x.prov.check(); err != nil {
			errs = append(errs, &fieldError{[]string{"limits", x.key}, err.Error()})
		}
	}
	return errs
}

// validateStages checks that exactly the wanted stages are declared and
// each is valid, in a stable order.
func validateStages(m map[string]*StageSpec, want []string) []error {
	var errs []error
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !contains(want, k) {
			errs = append(errs, &fieldError{[]string{"stage", k}, fmt.Sprintf("stage not allowed here (allowed: %s)", list(want))})
			continue
		}
		errs = append(errs, m[k].validate([]string{"stage", k})...)
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			errs = append(errs, &fieldError{[]string{"stage"}, fmt.Sprintf("stage %q missing (need %s)", k, list(want))})
		}
	}
	return errs
}

// Limits converts the declared defaults.
func (l LimitParams) limits() Limits {
	return Limits{
		API:                  Bucket{QPS: l.APIQPS.Value, Burst: l.APIBurst.Value},
		APIInflight:          l.APIInflight.Value,
		SchedulerParallelism: l.SchedulerParallelism.Value,
		Bind:                 Bucket{QPS: l.BindQPS.Value, Burst: l.BindBurst.Value},
		KubeletWorkers:       l.KubeletWorkers.Value,
		Kubelet:              Bucket{QPS: l.KubeletQPS.Value, Burst: l.KubeletBurst.Value},
	}
}
