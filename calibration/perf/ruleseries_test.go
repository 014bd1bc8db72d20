package perf

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/calibration"
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
	r, err := AnalyzeFile(filepath.Join(c.dir, c.File), Options{Packets: c.DataPackets, CPUGHz: c.clockGHz(), CPUs: cpus, Comms: comms})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// loadManifest reads the manifest of the captures in dir with
// internal/tomlx: a key captureEntry lacks is an error.
func loadManifest(t *testing.T, dir string) []captureEntry {
	t.Helper()
	file := filepath.Join(dir, "manifest.toml")
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
	var probed []float64
	for i := range m.Capture {
		m.Capture[i].dir = dir
		if g := m.Capture[i].IdlerGHz; g > 0 {
			probed = append(probed, g)
		}
	}
	// A capture whose CPU was busy for nearly the whole window left the
	// idler's probe too little run time to measure (capture.sh writes no
	// idler_ghz under 50 ms): it takes the median clock of the directory's
	// probed captures rather than the nominal cpu_ghz, so that one series
	// is not converted at two clocks.
	if len(probed) > 0 {
		slices.Sort(probed)
		median := probed[len(probed)/2]
		if len(probed)%2 == 0 {
			median = (probed[len(probed)/2-1] + median) / 2
		}
		for i := range m.Capture {
			if m.Capture[i].IdlerGHz == 0 {
				m.Capture[i].IdlerGHz = median
			}
		}
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
	ghz       float64 // the captures' clock (cpu_ghz, one per series)
}

type ruleKey struct {
	engine string
	rules  int
}

func loadRuleSeries(t *testing.T, dir string) ruleSeries {
	t.Helper()
	s := ruleSeries{total: map[ruleKey][]float64{}, nf: map[ruleKey][]float64{}, names: map[ruleKey][]string{}}
	for _, c := range loadManifest(t, dir) {
		if c.Topology != "routed" || c.RuleEngine == "none" || strings.Contains(c.Name, "-ct-") {
			continue
		}
		if c.Regime != "inline" {
			t.Fatalf("%s: regime %q: the series is taken in the inline regime", c.Name, c.Regime)
		}
		if s.ghz != 0 && c.CPUGHz != s.ghz {
			t.Fatalf("%s: cpu_ghz %v, the series' others %v", c.Name, c.CPUGHz, s.ghz)
		}
		s.ghz = c.CPUGHz
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
// iptables-legacy and nftables, on each recorded series (ruleSeriesCases).
// The captures (capture.sh SERIES: interleaved rounds of every rule count
// per engine) are the routed topology with the rules in a chain that only
// packets toward the server pod walk, the client paced to 100 Mbit/s so
// that every point, the largest included, runs paced.
//
// Calibration as a user would do it with `calibrate perf`: the rule cost is
// what the rules add to the netfilter stage at 1000 rules over the
// rule-free captures, per rule (RuleCostFromStage); where the series has a
// table beyond the cache (host 2: 8000 rules, host 3: 10000), the cache term from it
// (AddCacheTerm). The prediction at n rules is the rule-free busy cycles
// per data packet plus n rules at the profile's price for a table of n
// rules (Profile.RuleCycles), which is what the simulator charges
// (models/cni: rules walked once per packet toward the server, on the
// netfilter stage). The slope of the totals (0 to 1000 rules) is logged
// for comparison: on this shared VM the rest of the path moves by 10-30%
// between captures minutes apart, and that slope carries it five times
// into 5000 rules.
//
// Measured (go test ./calibration/perf -run TestRuleSeries -v): see
// testdata/perf/README.md, "The rule series", for the table. Known misses:
// host 1's iptables-legacy at 5000 rules, a table past the cache with
// no point beyond it to price that; host 2's nftables, whose walk costs
// more per rule at 1000 rules than at 3000-8000 in both series recorded
// there (unexplained, README); host 3's iptables-legacy at 100 and 5000
// rules (and, with the server's SO_RCVLOWAT, iptables-legacy at 100 and
// nftables at 5000 by 1.0 and 0.1 points), where the rest of the path's
// cost moved 2-2.5x between captures of one configuration (the netfilter
// stage alone, logged beside each total, held within 9% from 1000 to
// 5000 rules in the first recording and came to +12.3% for
// iptables-legacy in the second; README "Host 3"). A known miss fails the test when it comes within 10%
// or moves more than 5 points.
func TestRuleSeries(t *testing.T) {
	for _, sc := range ruleSeriesCases {
		s := loadRuleSeries(t, sc.dir)
		for _, engine := range []string{"iptables-legacy", "nftables"} {
			at := func(m map[ruleKey][]float64, rules int) float64 { return meanOf(m[ruleKey{engine, rules}]) }
			var counts []int
			for k, v := range s.total {
				if k.engine != engine {
					continue
				}
				if len(v) < 3 {
					t.Fatalf("%s: %s at %d rules: %d captures, want at least 3", sc.dir, engine, k.rules, len(v))
				}
				counts = append(counts, k.rules)
			}
			slices.Sort(counts)
			if !slices.Contains(counts, 0) || !slices.Contains(counts, 100) || !slices.Contains(counts, 1000) || !slices.Contains(counts, 5000) {
				t.Fatalf("%s: %s: rule counts %v, want 0, 100, 1000 and 5000", sc.dir, engine, counts)
			}
			rc, err := RuleCostFromStage(ruleEngine[engine], s.nf[ruleKey{engine, 0}], s.nf[ruleKey{engine, 1000}], 1000, "captures "+strings.Join(s.names[ruleKey{engine, 1000}], ", "))
			if err != nil {
				t.Fatal(err)
			}
			if sc.beyond > 0 {
				err := AddCacheTerm(&rc, s.nf[ruleKey{engine, 0}], s.nf[ruleKey{engine, sc.beyond}], sc.beyond, tableBytesPerRule[engine], sc.l2Bytes/2, "test")
				if err != nil {
					t.Fatal(err)
				}
			}
			prof := &calibration.Profile{Name: "series", GHz: s.ghz, RuleCosts: []calibration.RuleCost{rc}}
			slope := (at(s.total, 1000) - at(s.total, 0)) / 1000
			var report []string
			for _, rules := range counts {
				if rules == 0 || rules == 1000 || rules == sc.beyond {
					continue
				}
				base, per, err := prof.RuleCycles(ruleEngine[engine], "", "", rules)
				if err != nil {
					t.Fatal(err)
				}
				measured := at(s.total, rules)
				pred := at(s.total, 0) + base + float64(rules)*per
				e := pred/measured - 1
				slopeErr := (at(s.total, 0)+float64(rules)*slope)/measured - 1
				// the rule cost alone: the netfilter stage predicted against
				// the netfilter stage measured, without the rest of the
				// path's noise between captures
				nfErr := (at(s.nf, 0)+base+float64(rules)*per)/at(s.nf, rules) - 1
				line := fmt.Sprintf("%d rules: predicted %.0f measured %.0f (%+.1f%%; slope of totals %+.1f%%; netfilter stage alone %+.1f%%)",
					rules, pred, measured, 100*e, 100*slopeErr, 100*nfErr)
				report = append(report, line)
				if rules != 100 && rules != 5000 {
					continue // held out, logged; the bound is on 100 and 5000
				}
				want, known := sc.knownMiss[ruleKey{engine, rules}]
				switch {
				case known && math.Abs(e) <= 0.10:
					t.Errorf("%s: %s: %s: within 10%%, remove it from knownMiss", sc.dir, engine, line)
				case known && math.Abs(e-want) > 0.05:
					t.Errorf("%s: %s: %s: the known miss (%+.0f%%) changed", sc.dir, engine, line, 100*want)
				case known:
					t.Logf("%s: %s: %s: beyond 10%%, a known miss", sc.dir, engine, line)
				case math.Abs(e) > 0.10:
					t.Errorf("%s: %s: %s, beyond 10%%", sc.dir, engine, line)
				}
			}
			perRule := *rc.CyclesPerRule
			cache := "no cache term"
			if rc.UncachedCyclesPerRule != nil {
				cache = fmt.Sprintf("%.2f more per rule beyond the %.0f rules the cache holds", *rc.UncachedCyclesPerRule, rc.CachedRules())
			}
			t.Logf("%s: %s: %.2f cycles per rule (%s; slope of totals %.2f); %s", sc.dir, engine, perRule, cache, slope, strings.Join(report, "; "))
			if perRule < 5 || perRule > 50 {
				t.Errorf("%s: %s: %.1f cycles per rule, outside the 5..50 a rule walk of a few cache lines costs", sc.dir, engine, perRule)
			}
		}
	}
}

// tableBytesPerRule is the rule table's bytes per rule of the series'
// rules: iptables-legacy measured (IPT_SO_GET_INFO: 201,112 bytes at 1000
// rules, 1,001,112 at 5000 on host 1: 200 per rule), nftables derived (the
// datapath blob's nft_rule_dp header, 8 bytes, and its 7 expressions of
// 8 + the private data aligned to 8: payload 16, cmp 24, meta 16, cmp 24,
// payload 16, cmp 24, immediate 32; include/net/netfilter/nf_tables*.h).
var tableBytesPerRule = map[string]float64{"iptables-legacy": 200, "nftables": 160}

// ruleSeriesCases are the recorded rule series. l2Bytes is the host's L2
// per vCPU (host 1: sysfs, testdata/perf/README.md, its manifest predates
// the caches key; hosts 2 and 3: their entries' caches); the cache term (where a series has a count beyond the cache)
// takes half of it for the rules (derived: host 1's sweep, 500 to 8000
// iptables-legacy rules, README, rose past a knee near 0.50 MB of its
// 1 MiB L2; the rest of the packet path holds the other half). knownMiss
// maps the points the test expects to miss to the error recorded.
var ruleSeriesCases = []struct {
	dir       string
	l2Bytes   float64
	beyond    int
	knownMiss map[ruleKey]float64
}{
	{"testdata/perf", 1 << 20, 0, map[ruleKey]float64{{"iptables-legacy", 5000}: -0.14}},
	{"testdata/perf/series-host2", 512 << 10, 8000, map[ruleKey]float64{{"nftables", 5000}: +0.22}},
	{"testdata/perf/series-host3", 2 << 20, 10000, map[ruleKey]float64{{"iptables-legacy", 100}: -0.336, {"iptables-legacy", 5000}: -0.156}},
	{"testdata/perf/series-host3-rcvlowat", 2 << 20, 10000, map[ruleKey]float64{{"iptables-legacy", 100}: -0.110, {"nftables", 5000}: -0.101}},
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
	for _, c := range loadManifest(t, "testdata/perf") {
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
