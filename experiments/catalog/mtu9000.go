package catalog

import (
	"fmt"
	"math"
	"sync"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/plots"
)

// pluginModes is a plugin with its encapsulation and direct-routing modes
// ("" where it has none).
type pluginModes struct{ plugin, encap, direct string }

// encapModes lists every pod-network plugin (cni.PodNetworks) with its
// modes as its built-in model declares them (cni.Model.EncapAndNative),
// read once, when an analysis first asks: parsing the models costs
// milliseconds that a CLI start should not pay.
var encapModes = sync.OnceValue(func() []pluginModes { return modesOf(cni.PodNetworks()) })

// modesOf reads the plugins' modes from the built-in models; they are
// built-in, so an error is a bug that every run of the catalog would hit.
func modesOf(plugins []string) []pluginModes {
	var out []pluginModes
	for _, p := range plugins {
		m, err := cni.Builtin(p)
		if err != nil {
			panic(err)
		}
		e, n := m.EncapAndNative()
		out = append(out, pluginModes{p, e, n})
	}
	return out
}

var blogMtu9000 = &Experiment{
	Name:  "blog-mtu9000",
	Title: "Vendor: TCP throughput at MTU 9000 on 10 Gbit/s, encapsulation vs direct routing per plugin",
	About: "The vendor's TCP benchmark setting (iperf3, bare metal, 10 Gbit/s, MTU 9000): every plugin in its " +
		"encapsulation mode and, where it has one, its direct-routing mode, with the node-to-node baseline. " +
		"At jumbo frames the per-packet work is small, so every configuration should run near the wire-speed " +
		"goodput bound link x MSS / (MSS + 52 + encapsulation + 38); encapsulation's extra headers lower that " +
		"bound slightly.",
	Scenarios: append(perPlugin("mtu9000-", cni.PodNetworks()), "mtu9000-host.toml"),
	Quick:     []Setting{{"replications", int64(2)}, {"duration", "300ms"}},
	Needs:     []string{"tcp_stream"},
	Analyse:   analyseMTU9000,
}

func analyseMTU9000(d *Data) (*Output, error) {
	var cats []string
	enc := plots.Series{Name: "encapsulation"}
	dir := plots.Series{Name: "direct routing"}
	t := report.Table{Caption: fmt.Sprintf("TCP goodput at MTU 9000, 10 Gbit/s (mean ± 95%% CI, %s):", runDesc(d.Runs[0])),
		Header: []string{"plugin", "mode", "throughput (Mbit/s)", "wire-speed bound (Mbit/s)", "% of bound", "receiver cores used"}}
	out := &Output{}
	src := vendorSrc("TCP benchmark (MTU 9000)")
	add := func(s *plots.Series, file, plugin, mode string) (results.Stat, error) {
		if mode == "" { // a mode the plugin lacks: no bar (NaN), not a zero-height one
			s.Mean, s.CI95, s.Max = append(s.Mean, math.NaN()), append(s.CI95, 0), append(s.Max, 0)
			return results.Stat{}, nil
		}
		r, err := d.Find(file, "cni.mode", mode)
		if err != nil {
			return results.Stat{}, err
		}
		st, _ := r.Stat(results.ThroughputMbps)
		cpu, _ := r.Stat(results.CPUCoresUsed)
		s.Mean, s.CI95, s.Max = append(s.Mean, st.Mean/1000), append(s.CI95, st.CI95/1000), append(s.Max, gbpsBound(r))
		b := wireBoundMbps(r)
		t.Rows = append(t.Rows, []string{displayName(plugin), mode, pm(st, 1), num(b), num(100 * st.Mean / b), pm(cpu, 1)})
		out.Checks = append(out.Checks, ordering(displayName(plugin)+" "+mode+" reaches wire speed (≥ 95% of the goodput bound)", src,
			"all plugins at wire speed", fmt.Sprintf("%s of %s Mbit/s (%s%%)", num(st.Mean), num(b), num(100*st.Mean/b)), st.Mean >= 0.95*b,
			apart(one(st), one(exact(0.95*b, st.N)))))
		return st, nil
	}
	for _, m := range encapModes() {
		f := "mtu9000-" + m.plugin + ".toml"
		cats = append(cats, displayName(m.plugin))
		e, err := add(&enc, f, m.plugin, m.encap)
		if err != nil {
			return nil, err
		}
		dr, err := add(&dir, f, m.plugin, m.direct)
		if err != nil {
			return nil, err
		}
		if m.direct != "" {
			out.Checks = append(out.Checks, ordering(displayName(m.plugin)+": direct routing above encapsulation", src,
				"encapsulation lowers the maximum slightly", fmt.Sprintf("%s vs %s Mbit/s", num(dr.Mean), num(e.Mean)), dr.Mean > e.Mean, apart(one(dr), one(e))))
		}
	}
	cats = append(cats, "host (no CNI)")
	enc.Mean, enc.CI95, enc.Max = append(enc.Mean, math.NaN()), append(enc.CI95, 0), append(enc.Max, 0)
	if _, err := add(&dir, "mtu9000-host.toml", "host", "host"); err != nil {
		return nil, err
	}
	f, err := d.figure("mtu9000-throughput", "TCP goodput per plugin at MTU 9000 on 10 Gbit/s: encapsulation (left bar) vs direct routing (right bar); a missing bar is a mode the plugin lacks.",
		plots.Bars{Title: fmt.Sprintf("TCP at MTU 9000, 10 Gbit/s, inter-host (simulated, %s)", runDesc(d.Runs[0])),
			YLabel: "throughput (Gbit/s)", Categories: cats, Series: []plots.Series{enc, dir}})
	if err != nil {
		return nil, err
	}
	out.Figures, out.Tables = []Figure{f}, []report.Table{t}
	out.Notes = append(out.Notes, "Weave has no direct-routing mode and the host baseline no encapsulation: those bars are absent, not zero.")
	return out, nil
}
