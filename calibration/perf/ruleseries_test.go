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
	"gonum.org/v1/gonum/stat"
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
func loadManifest(t *testing.T, dir string, pooled ...string) []captureEntry {
	t.Helper()
	var m struct {
		Capture []captureEntry `toml:"capture"`
	}
	for _, d := range append([]string{dir}, pooled...) {
		file := filepath.Join(d, "manifest.toml")
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var one struct {
			Capture []captureEntry `toml:"capture"`
		}
		if _, err := tomlx.Decode(file, data, &one, tomlx.Options{}); err != nil {
			t.Fatal(err)
		}
		for i := range one.Capture {
			one.Capture[i].dir = d
		}
		m.Capture = append(m.Capture, one.Capture...)
	}
	var probed, refs []float64
	for i := range m.Capture {
		if g := m.Capture[i].IdlerGHz; g > 0 {
			probed = append(probed, g)
		}
		if r := m.Capture[i].IdlerRefNs; r > 0 {
			refs = append(refs, r)
		}
	}
	// A capture whose CPU was busy for nearly the whole window left the
	// idler's probe too little run time to measure (capture.sh writes no
	// idler_ghz under 50 ms): it takes the median clock of the directory's
	// probed captures rather than the nominal cpu_ghz, so that one series
	// is not converted at two clocks.
	if len(probed) > 0 {
		median := medianOf(probed)
		for i := range m.Capture {
			if m.Capture[i].IdlerGHz == 0 {
				m.Capture[i].IdlerGHz = median
			}
		}
		// A capture recorded beside the idler's reference workload
		// (capture.sh REFPROBE, idler_ref_ns) is converted at a
		// speed-normalised clock: the directory's median clock times the
		// directory's median ns per reference round trip over the
		// capture's. Its cycles are then those of the machine at its
		// median speed: on host 3 the same code's time per packet moved
		// with the reference (correlation 0.71, slope 0.86-0.89 in log
		// terms over 38 captures), by up to 2x between captures minutes
		// apart, while the clock probe moved 20% (README.md, "A reference
		// workload"). A capture without one (its CPU busy all the window)
		// keeps the median clock.
		if len(refs) > 0 {
			refMedian := medianOf(refs)
			for i := range m.Capture {
				if c := &m.Capture[i]; c.IdlerRefNs > 0 {
					c.speedGHz = median * refMedian / c.IdlerRefNs
				}
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
// pod, capture.sh SERIES), and the names of those captures. The cycles are
// at each capture's clockGHz; clockOnly, for a series recorded with the
// idler's reference workload, holds them at the clock probe's figure
// alone (no speed normalisation), for comparison.
type ruleSeries struct {
	seriesView
	clockOnly *seriesView
	names     map[ruleKey][]string
	// per capture, with the reference workload: its ns per round trip
	// and the capture's busy time per data packet in ns
	refNs, timeNs map[ruleKey][]float64
	ghz           float64 // the captures' clock (cpu_ghz, one per series)
}

// seriesView is a series' busy and netfilter cycles per data packet.
type seriesView struct {
	total, nf map[ruleKey][]float64
}

func newSeriesView() seriesView {
	return seriesView{total: map[ruleKey][]float64{}, nf: map[ruleKey][]float64{}}
}

func (v seriesView) add(k ruleKey, total, nf float64) {
	v.total[k] = append(v.total[k], total)
	v.nf[k] = append(v.nf[k], nf)
}

type ruleKey struct {
	engine string
	rules  int
}

func loadRuleSeries(t *testing.T, dir string, pooled ...string) ruleSeries {
	t.Helper()
	s := ruleSeries{seriesView: newSeriesView(), names: map[ruleKey][]string{}, refNs: map[ruleKey][]float64{}, timeNs: map[ruleKey][]float64{}}
	caps := loadManifest(t, dir, pooled...)
	if slices.ContainsFunc(caps, func(c captureEntry) bool { return c.speedGHz > 0 }) {
		v := newSeriesView()
		s.clockOnly = &v
	}
	for _, c := range caps {
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
		total, nf := r.CPPTotal, StageCPP(r, datapath.Netfilter)
		s.add(k, total, nf)
		s.names[k] = append(s.names[k], c.Name)
		if s.clockOnly != nil {
			f := c.IdlerGHz / c.clockGHz() // cycles scale with the clock they are converted at
			s.clockOnly.add(k, f*total, f*nf)
			if c.IdlerRefNs > 0 {
				s.refNs[k] = append(s.refNs[k], c.IdlerRefNs)
				s.timeNs[k] = append(s.timeNs[k], total/c.clockGHz())
			}
		}
	}
	return s
}

func medianOf(v []float64) float64 {
	v = slices.Sorted(slices.Values(v))
	if len(v)%2 == 0 {
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return v[len(v)/2]
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
//
// The series recorded beside the idler's reference workload
// (series-host3-ref, -ref2 and -ref8: capture.sh REFPROBE) are converted
// at each capture's speed-normalised clock (clockGHz, loadManifest): the
// cycles the machine would have spent at its median speed over the
// recording. That takes out much of what the other tenants' load did to
// the time per packet (TestReferenceTracksSpeed). With four captures a
// point 7 of 8 points came within 10% (-ref2's iptables-legacy at 5000
// rules, -13.8%, is a known miss), pooled all did, and so did every point
// of -ref8, eight rounds recorded afterwards to test that; the errors at
// the clock probe's figure alone are logged beside them.
func TestRuleSeries(t *testing.T) {
	for _, sc := range ruleSeriesCases {
		s := sc.series(t)
		for _, engine := range []string{"iptables-legacy", "nftables"} {
			counts := s.ruleCounts(t, sc.name(), engine)
			fit := predictSeries(t, sc, engine, s.seriesView, counts, s.ghz, s.names)
			var report []string
			for _, p := range fit.points {
				line := p.String()
				report = append(report, line)
				if p.rules != 100 && p.rules != 5000 {
					continue // held out, logged; the bound is on 100 and 5000
				}
				want, known := sc.knownMiss[ruleKey{engine, p.rules}]
				switch e := p.err; {
				case known && math.Abs(e) <= 0.10:
					t.Errorf("%s: %s: %s: within 10%%, remove it from knownMiss", sc.name(), engine, line)
				case known && math.Abs(e-want) > 0.05:
					t.Errorf("%s: %s: %s: the known miss (%+.0f%%) changed", sc.name(), engine, line, 100*want)
				case known:
					t.Logf("%s: %s: %s: beyond 10%%, a known miss", sc.name(), engine, line)
				case math.Abs(e) > 0.10:
					t.Errorf("%s: %s: %s, beyond 10%%", sc.name(), engine, line)
				}
			}
			if s.clockOnly != nil {
				// the same calibration and predictions at the clock
				// probe's figure alone: what the speed normalisation
				// changed (logged, not bounded)
				raw := predictSeries(t, sc, engine, *s.clockOnly, counts, s.ghz, s.names)
				var errs []string
				for _, p := range raw.points {
					errs = append(errs, fmt.Sprintf("%d rules %+.1f%%", p.rules, 100*p.err))
				}
				report = append(report, fmt.Sprintf("at the clock alone, without the speed normalisation: %.2f cycles per rule, %s", raw.perRule, strings.Join(errs, ", ")))
			}
			t.Logf("%s: %s: %.2f cycles per rule (%s; slope of totals %.2f); %s", sc.name(), engine, fit.perRule, fit.cache, fit.slope, strings.Join(report, "; "))
			if fit.perRule < 5 || fit.perRule > 50 {
				t.Errorf("%s: %s: %.1f cycles per rule, outside the 5..50 a rule walk of a few cache lines costs", sc.name(), engine, fit.perRule)
			}
		}
	}
}

// TestReferenceTracksSpeed: in the series recorded beside the idler's
// reference workload (capture.sh REFPROBE), a capture's busy time per
// packet moves with the reference's ns per round trip: over the captures
// of each configuration, the logs of the two, less their configuration's
// mean, correlate (r > 0.5) with a slope near 1 (0.5..1.5); and
// converting at the speed-normalised clock (clockGHz) leaves the totals
// of one configuration closer together than the clock probe alone (mean
// coefficient of variation). An inverted or misapplied normalisation
// fails the last check; a reference that measured nothing, the first.
func TestReferenceTracksSpeed(t *testing.T) {
	for _, sc := range ruleSeriesCases {
		s := sc.series(t)
		if s.clockOnly == nil {
			continue
		}
		var x, y []float64
		for k, refs := range s.refNs {
			if len(refs) < 2 {
				continue
			}
			lr, lt := logDeviations(refs), logDeviations(s.timeNs[k])
			x, y = append(x, lr...), append(y, lt...)
		}
		r, slope := stat.Correlation(x, y, nil), stat.Covariance(x, y, nil)/stat.Variance(x, nil)
		cvNorm, cvClock := meanCV(s.total), meanCV(s.clockOnly.total)
		t.Logf("%s: %d captures with the reference: time per packet against ns per round trip (logs, less each configuration's mean): r %.2f, slope %.2f; totals' mean coefficient of variation within a configuration %.3f speed-normalised, %.3f at the clock alone",
			sc.name(), len(x), r, slope, cvNorm, cvClock)
		if !(r > 0.5 && slope > 0.5 && slope < 1.5) {
			t.Errorf("%s: r %.2f, slope %.2f: the reference does not track the path's speed", sc.name(), r, slope)
		}
		if cvNorm >= cvClock {
			t.Errorf("%s: the speed normalisation left the totals' spread at %.3f against %.3f", sc.name(), cvNorm, cvClock)
		}
	}
}

// logDeviations returns the logs of v less their mean.
func logDeviations(v []float64) []float64 {
	l := make([]float64, len(v))
	for i, x := range v {
		l[i] = math.Log(x)
	}
	m := stat.Mean(l, nil)
	for i := range l {
		l[i] -= m
	}
	return l
}

// meanCV is the mean over configurations of the coefficient of variation
// (sample standard deviation over mean) of their values.
func meanCV(m map[ruleKey][]float64) float64 {
	var sum float64
	n := 0
	for _, v := range m {
		if len(v) < 2 {
			continue
		}
		mean, sd := stat.MeanStdDev(v, nil)
		sum += sd / mean
		n++
	}
	return sum / float64(n)
}

// ruleCounts returns the rule counts of engine's captures in s, failing
// the test unless 0, 100, 1000 and 5000 are there with at least three
// captures each.
func (s ruleSeries) ruleCounts(t *testing.T, dir, engine string) []int {
	t.Helper()
	var counts []int
	for k, v := range s.total {
		if k.engine != engine {
			continue
		}
		if len(v) < 3 {
			t.Fatalf("%s: %s at %d rules: %d captures, want at least 3", dir, engine, k.rules, len(v))
		}
		counts = append(counts, k.rules)
	}
	slices.Sort(counts)
	if !slices.Contains(counts, 0) || !slices.Contains(counts, 100) || !slices.Contains(counts, 1000) || !slices.Contains(counts, 5000) {
		t.Fatalf("%s: %s: rule counts %v, want 0, 100, 1000 and 5000", dir, engine, counts)
	}
	return counts
}

// seriesFit is a rule cost calibrated on a series and its predictions.
type seriesFit struct {
	perRule float64
	cache   string  // the cache term, in words
	slope   float64 // of the totals, 0 to 1000 rules, per rule
	points  []seriesPoint
}

// seriesPoint is one predicted rule count: the totals predicted and
// measured and their error, the error of the totals' slope, and of the
// netfilter stage alone.
type seriesPoint struct {
	rules                       int
	pred, measured              float64
	err, slopeErr, netfilterErr float64
}

func (p seriesPoint) String() string {
	return fmt.Sprintf("%d rules: predicted %.0f measured %.0f (%+.1f%%; slope of totals %+.1f%%; netfilter stage alone %+.1f%%)",
		p.rules, p.pred, p.measured, 100*p.err, 100*p.slopeErr, 100*p.netfilterErr)
}

// predictSeries calibrates engine's rule cost on v as a user would with
// `calibrate perf` and predicts every rule count but 0, 1000 and the
// point beyond the cache.
func predictSeries(t *testing.T, sc ruleSeriesCase, engine string, v seriesView, counts []int, ghz float64, names map[ruleKey][]string) seriesFit {
	t.Helper()
	at := func(m map[ruleKey][]float64, rules int) float64 { return meanOf(m[ruleKey{engine, rules}]) }
	rc, err := RuleCostFromStage(ruleEngine[engine], v.nf[ruleKey{engine, 0}], v.nf[ruleKey{engine, 1000}], 1000, "captures "+strings.Join(names[ruleKey{engine, 1000}], ", "))
	if err != nil {
		t.Fatal(err)
	}
	if sc.beyond > 0 {
		err := AddCacheTerm(&rc, v.nf[ruleKey{engine, 0}], v.nf[ruleKey{engine, sc.beyond}], sc.beyond, tableBytesPerRule[engine], sc.l2Bytes/2, "test")
		if err != nil {
			t.Fatal(err)
		}
	}
	prof := &calibration.Profile{Name: "series", GHz: ghz, RuleCosts: []calibration.RuleCost{rc}}
	fit := seriesFit{perRule: *rc.CyclesPerRule, cache: "no cache term", slope: (at(v.total, 1000) - at(v.total, 0)) / 1000}
	if rc.UncachedCyclesPerRule != nil {
		fit.cache = fmt.Sprintf("%.2f more per rule beyond the %.0f rules the cache holds", *rc.UncachedCyclesPerRule, rc.CachedRules())
	}
	for _, rules := range counts {
		if rules == 0 || rules == 1000 || rules == sc.beyond {
			continue
		}
		base, per, err := prof.RuleCycles(ruleEngine[engine], "", "", rules)
		if err != nil {
			t.Fatal(err)
		}
		p := seriesPoint{rules: rules, measured: at(v.total, rules)}
		p.pred = at(v.total, 0) + base + float64(rules)*per
		p.err = p.pred/p.measured - 1
		p.slopeErr = (at(v.total, 0)+float64(rules)*fit.slope)/p.measured - 1
		// the rule cost alone: the netfilter stage predicted against the
		// netfilter stage measured, without the rest of the path's noise
		// between captures
		p.netfilterErr = (at(v.nf, 0)+base+float64(rules)*per)/at(v.nf, rules) - 1
		fit.points = append(fit.points, p)
	}
	return fit
}

type ruleSeriesCase struct {
	dir       string
	l2Bytes   float64
	beyond    int
	knownMiss map[ruleKey]float64
	pooled    []string // more recordings of the same series, pooled with dir's (one median clock and reference)
}

// loadedSeries keeps each case's series once analysed: TestRuleSeries and
// TestReferenceTracksSpeed read the same captures (neither is parallel).
var loadedSeries = map[string]ruleSeries{}

// series returns the case's rule series, analysing its captures once.
func (sc ruleSeriesCase) series(t *testing.T) ruleSeries {
	t.Helper()
	s, ok := loadedSeries[sc.name()]
	if !ok {
		s = loadRuleSeries(t, sc.dir, sc.pooled...)
		loadedSeries[sc.name()] = s
	}
	return s
}

// name is the case's directory, and the pooled ones after a "+".
func (sc ruleSeriesCase) name() string {
	n := sc.dir
	for _, d := range sc.pooled {
		n += "+" + filepath.Base(d)
	}
	return n
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
var ruleSeriesCases = []ruleSeriesCase{
	{"testdata/perf", 1 << 20, 0, map[ruleKey]float64{{"iptables-legacy", 5000}: -0.14}, nil},
	{"testdata/perf/series-host2", 512 << 10, 8000, map[ruleKey]float64{{"nftables", 5000}: +0.22}, nil},
	{"testdata/perf/series-host3", 2 << 20, 10000, map[ruleKey]float64{{"iptables-legacy", 100}: -0.336, {"iptables-legacy", 5000}: -0.156}, nil},
	{"testdata/perf/series-host3-rcvlowat", 2 << 20, 10000, map[ruleKey]float64{{"iptables-legacy", 100}: -0.110, {"nftables", 5000}: -0.101}, nil},
	{"testdata/perf/series-host3-ref", 2 << 20, 10000, nil, nil},
	{"testdata/perf/series-host3-ref2", 2 << 20, 10000, map[ruleKey]float64{{"iptables-legacy", 5000}: -0.138}, nil},
	{"testdata/perf/series-host3-ref", 2 << 20, 10000, nil, []string{"testdata/perf/series-host3-ref2"}},
	{"testdata/perf/series-host3-ref8", 2 << 20, 10000, nil, nil},
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
