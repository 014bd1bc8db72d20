package perf

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/internal/tomlx"
	"github.com/cnisim/cnisim/models/datapath"
)

// analyzeCapture calibrates one real capture of testdata/perf/manifest.toml
// on its traffic only: the recorded CPUs and the comms of the sender, the
// receiver, ksoftirqd and the idle task (other jobs shared the machine).
func analyzeCapture(t *testing.T, c captureEntry) *Result {
	t.Helper()
	var cpus []int
	for _, f := range strings.Split(c.CPUs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			t.Fatalf("%s: cpus %q: %v", c.Name, c.CPUs, err)
		}
		cpus = append(cpus, n)
	}
	comms := append(append(append([]string{}, c.Comms...), c.SoftirqComms...), "swapper*")
	r, err := AnalyzeFile(filepath.Join("testdata/perf", c.File), Options{Packets: c.DataPackets, CPUGHz: c.CPUGHz, CPUs: cpus, Comms: comms})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// loadManifest reads the captures' manifest with internal/tomlx:
// a key captureEntry lacks is an error.
func loadManifest(t *testing.T) []captureEntry {
	t.Helper()
	const file = "testdata/perf/manifest.toml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Capture []captureEntry `toml:"capture"`
	}
	if _, err := tomlx.Decode(file, data, &m, tomlx.Options{}); err != nil {
		t.Fatal(err)
	}
	return m.Capture
}

// ruleEngine is the [[rule_cost]] engine of a manifest rule_engine.
var ruleEngine = map[string]string{"iptables-legacy": "iptables", "nftables": "nftables"}

// ruleSeries holds, per (rule engine, rule count), the busy cycles per data
// packet (cpp_total) and the netfilter stage's cycles per data packet of
// every capture of the rule series (routed topology, rules toward the server
// pod, capture.sh SERIES), and the names of those captures.
type ruleSeries struct {
	total, nf map[ruleKey][]float64
	names     map[ruleKey][]string
}

type ruleKey struct {
	engine string
	rules  int
}

func loadRuleSeries(t *testing.T) ruleSeries {
	t.Helper()
	s := ruleSeries{map[ruleKey][]float64{}, map[ruleKey][]float64{}, map[ruleKey][]string{}}
	for _, c := range loadManifest(t) {
		if c.Topology != "routed" || c.RuleEngine == "none" || strings.Contains(c.Name, "-ct-") {
			continue
		}
		if c.Regime != "inline" {
			t.Fatalf("%s: regime %q: the series is taken in the inline regime", c.Name, c.Regime)
		}
		r := analyzeCapture(t, c)
		k := ruleKey{c.RuleEngine, c.Rules}
		s.total[k] = append(s.total[k], r.CPPTotal)
		s.nf[k] = append(s.nf[k], StageCPP(r, datapath.Netfilter))
		s.names[k] = append(s.names[k], c.Name)
	}
	return s
}

func meanOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// TestRuleSeries: the per-rule cost of non-matching policy rules,
// calibrated at 1000 rules, predicts the busy cycles per data packet of the
// same path at 100 and 5000 rules within 10% (issue 17), for
// iptables-legacy and nftables. The captures (capture.sh SERIES, five
// interleaved rounds of 0, 100, 1000 and 5000 rules per engine) are the
// routed topology with the rules in a chain that only packets toward the
// server pod walk, the client paced to 100 Mbit/s so that every point,
// 5000 rules included, runs paced (the regime check rejects CPU-bound
// windows).
//
// Calibration as a user would do it with `calibrate perf`: the rule cost is
// what the rules add to the netfilter stage at 1000 rules over the
// rule-free captures, per rule (RuleCostFromStage); the prediction at n
// rules is the rule-free busy cycles per data packet plus n rules at that
// cost, which is what the simulator charges (models/cni: rules walked once
// per packet toward the server, on the netfilter stage).
//
// Why not the slope of the total cycles, as a first version of this test
// did: on this shared 2-vCPU VM the rest of the path moves by 10-20%
// between captures minutes apart (other jobs' cache and CPU use), and a
// slope taken over 1000 rules multiplies that by five at 5000 rules. That
// estimator is still computed and logged, with its error.
//
// Measured (go test ./calibration/perf -run TestRuleSeries -v, captures of
// 2026-12-02): nftables 9.29 cycles per rule, 100 rules +2.1%, 5000 rules
// +2.1%; iptables-legacy 8.31 cycles per rule, 100 rules +6.2%, 5000 rules
// -13.9% (below).
//
// Not met (open, see testdata/perf/README.md "The rule series"):
// iptables-legacy at 5000 rules. Its rule table is 200 bytes per rule
// (IPT_SO_GET_INFO: 1,001,112 bytes at 5000 rules), about the 1 MiB L2
// cache of a vCPU here, and the cost per rule rises as the table outgrows
// it: 9.0-9.9 cycles per rule from 500 to 3000 rules, 11.0 at 4000 and
// 5000, 12.6-12.8 at 6500 and 8000 (sweeps of two captures each), so the
// cost calibrated at 1000 rules predicts 5000 rules 14% low. The same
// rules with a comment match (489 bytes each, the same instructions) stay
// at 8.2-9.5 cycles at 5000: the layout of the table, not the rule count.
// A linear per-rule cost does not hold across that, and the model has no
// cache term. The test keeps the 10% bound and lists the point in
// knownMiss: it fails if the miss grows past 25% or turns the other way,
// and if the point comes within 10% (then the entry must go).
func TestRuleSeries(t *testing.T) {
	knownMiss := map[ruleKey]bool{{"iptables-legacy", 5000}: true}
	s := loadRuleSeries(t)
	for _, engine := range []string{"iptables-legacy", "nftables"} {
		for _, rules := range []int{0, 100, 1000, 5000} {
			if n := len(s.total[ruleKey{engine, rules}]); n < 3 {
				t.Fatalf("%s at %d rules: %d captures, want at least 3", engine, rules, n)
			}
		}
		at := func(m map[ruleKey][]float64, rules int) float64 { return meanOf(m[ruleKey{engine, rules}]) }
		rc, err := RuleCostFromStage(ruleEngine[engine], s.nf[ruleKey{engine, 0}], s.nf[ruleKey{engine, 1000}], 1000, "captures "+strings.Join(s.names[ruleKey{engine, 1000}], ", "))
		if err != nil {
			t.Fatal(err)
		}
		perRule := *rc.CyclesPerRule
		slope := (at(s.total, 1000) - at(s.total, 0)) / 1000
		var report []string
		for _, rules := range []int{100, 5000} {
			measured := at(s.total, rules)
			pred := at(s.total, 0) + float64(rules)*perRule
			e := pred/measured - 1
			nfPred := at(s.nf, 0) + float64(rules)*perRule
			nfErr := nfPred/at(s.nf, rules) - 1
			slopeErr := (at(s.total, 0)+float64(rules)*slope)/measured - 1
			report = append(report, fmt.Sprintf("%d rules: predicted %.0f measured %.0f (%+.1f%%; netfilter stage %+.1f%%; slope of totals %+.1f%%)",
				rules, pred, measured, 100*e, 100*nfErr, 100*slopeErr))
			switch {
			case knownMiss[ruleKey{engine, rules}] && math.Abs(e) <= 0.10:
				t.Errorf("%s: %s: within 10%%, remove it from knownMiss", engine, report[len(report)-1])
			case knownMiss[ruleKey{engine, rules}] && (e > 0 || e < -0.25):
				t.Errorf("%s: %s: the known miss (the linear cost too low beyond the L2 cache, by 10-25%%) changed", engine, report[len(report)-1])
			case knownMiss[ruleKey{engine, rules}]:
				t.Logf("%s: %s: beyond 10%%, a known miss (the rule table outgrows the L2 cache)", engine, report[len(report)-1])
			case math.Abs(e) > 0.10:
				t.Errorf("%s: %s, beyond 10%%", engine, report[len(report)-1])
			}
		}
		t.Logf("%s: %.2f cycles per rule (%.2f ns at %.3f GHz; slope of totals %.2f); %s", engine, perRule, perRule/2.596, 2.596, slope, strings.Join(report, "; "))
		if perRule < 5 || perRule > 50 {
			t.Errorf("%s: %.1f cycles per rule, outside the 5..50 a rule walk of a few cache lines costs", engine, perRule)
		}
	}
}

// TestConntrackSkipsRules: with an ESTABLISHED,RELATED accept ahead of 1000
// rules, established packets do not walk them (fidelity.md, "Policy
// rules"): what the netfilter stage costs above the rule-free captures is
// less than a third of what the 1000-rule walk adds. What remains is the
// price of the accept itself: conntrack's lookup (nf_conntrack_in, which
// the conntrack match loads into the namespace) and the match, about 1.7k
// cycles per packet here against about 8k for the walk.
func TestConntrackSkipsRules(t *testing.T) {
	t.Parallel()
	var with, without, zero []float64
	for _, c := range loadManifest(t) {
		if c.Topology != "routed" || c.RuleEngine != "iptables-legacy" || c.Rules != 0 && c.Rules != 1000 {
			continue
		}
		nf := StageCPP(analyzeCapture(t, c), datapath.Netfilter)
		switch {
		case c.Rules == 0:
			zero = append(zero, nf)
		case strings.Contains(c.Name, "-ct-"):
			with = append(with, nf)
		default:
			without = append(without, nf)
		}
	}
	if len(with) == 0 || len(without) == 0 || len(zero) == 0 {
		t.Fatalf("captures: %d with the conntrack accept, %d without, %d without rules", len(with), len(without), len(zero))
	}
	z := meanOf(zero)
	for _, w := range with {
		for _, wo := range without {
			if w-z > (wo-z)/3 {
				t.Errorf("netfilter %.0f cycles per packet behind the conntrack accept, %.0f without, %.0f without rules: the walk did not vanish", w, wo, z)
			}
		}
	}
}
