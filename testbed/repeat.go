package testbed

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
)

// Repeatability compares two runs of the same configurations: whether the
// measured cycles per data packet (each run's median window) agree within
// a tolerance, and for those that do not, what the recorded evidence points
// to. The issue's target is 5%: "two runs of the same configuration give
// medians within 5%, or the report says which configurations are bimodal
// and why".
type Repeatability struct {
	A            string      `json:"a"` // run A's provenance (describe)
	B            string      `json:"b"`
	TolerancePct float64     `json:"tolerance_pct"`
	Rows         []RepeatRow `json:"rows"`
	Within       int         `json:"within"` // rows within the tolerance
	// Machines is set when the runs were recorded on different machines
	// (CPU model or kernel): a comparison of hosts, not a repeat.
	Machines string `json:"machines,omitempty"`
}

// RepeatRow is one configuration measured in both runs.
type RepeatRow struct {
	Name    string  `json:"name"`
	CPPA    float64 `json:"cpp_a"`
	CPPB    float64 `json:"cpp_b"`
	DiffPct float64 `json:"diff_pct"` // 100 x (B - A) / A
	// Per run: the windows' spread (max - min over median, %), the mean
	// share of the recorded CPU's samples other processes took, and
	// whether the windows fall into two groups (Bimodal).
	SpreadA  float64 `json:"spread_a_pct"`
	SpreadB  float64 `json:"spread_b_pct"`
	OtherA   float64 `json:"other_share_a"`
	OtherB   float64 `json:"other_share_b"`
	BimodalA bool    `json:"bimodal_a"`
	BimodalB bool    `json:"bimodal_b"`
	Verdict  string  `json:"verdict"`
}

// Thresholds of the verdicts: a gap between two sorted windows wider than
// bimodalGap of the median, with at least two windows on each side, is two
// regimes; a difference of otherShareGap in the share of samples other
// processes took, or of loadGap in the one-minute load average, is a
// machine that was not equally quiet.
const (
	bimodalGap    = 0.10
	otherShareGap = 0.05
	loadGap       = 1.0
)

// Repeat compares the configurations measured in both a and b.
func Repeat(a, b *Run, tolPct float64) *Repeatability {
	rep := &Repeatability{A: a.describe(), B: b.describe(), TolerancePct: tolPct}
	switch {
	case a.CPUModel != b.CPUModel:
		rep.Machines = fmt.Sprintf("another CPU (%q against %q)", a.CPUModel, b.CPUModel)
	case a.Kernel != b.Kernel:
		rep.Machines = fmt.Sprintf("another kernel (%s against %s)", a.Kernel, b.Kernel)
	}
	loadA, loadB := load1(a.Loadavg), load1(b.Loadavg)
	for i := range a.Configs {
		ma := &a.Configs[i]
		mb, ok := b.Measurement(ma.Config.Name)
		if !ok {
			continue
		}
		r := RepeatRow{Name: ma.Config.Name, CPPA: ma.CPP(), CPPB: mb.CPP(),
			SpreadA: ma.Spread(), SpreadB: mb.Spread(), OtherA: mean(ma.RepOther), OtherB: mean(mb.RepOther),
			BimodalA: Bimodal(ma.RepCPP), BimodalB: Bimodal(mb.RepCPP)}
		r.DiffPct = 100 * (r.CPPB - r.CPPA) / r.CPPA
		r.Verdict = r.verdict(tolPct, loadA, loadB, rep.Machines)
		if math.Abs(r.DiffPct) <= tolPct {
			rep.Within++
		}
		rep.Rows = append(rep.Rows, r)
	}
	return rep
}

// verdict says whether the row repeats and, if not, what the recorded
// evidence shows: another machine, bimodal windows, a core shared with
// other processes, or a machine under load; otherwise that nothing
// recorded explains it.
func (r RepeatRow) verdict(tolPct, loadA, loadB float64, machines string) string {
	if math.Abs(r.DiffPct) <= tolPct {
		return fmt.Sprintf("repeats (within %g%%)", tolPct)
	}
	dearer, cheaper := "B", "A"
	otherD, otherC, loadD, loadC := r.OtherB, r.OtherA, loadB, loadA
	if r.DiffPct < 0 {
		dearer, cheaper = "A", "B"
		otherD, otherC, loadD, loadC = r.OtherA, r.OtherB, loadA, loadB
	}
	var why []string
	if machines != "" {
		why = append(why, machines)
	}
	for _, x := range []struct {
		run string
		bi  bool
	}{{"A", r.BimodalA}, {"B", r.BimodalB}} {
		if x.bi {
			why = append(why, "run "+x.run+"'s windows are bimodal (two one-core regimes or a shared core)")
		}
	}
	if otherD-otherC >= otherShareGap {
		why = append(why, fmt.Sprintf("other processes took %.0f%% of the recorded CPU's samples in run %s against %.0f%% in run %s (a shared core runs with a colder cache)", 100*otherD, dearer, 100*otherC, cheaper))
	}
	if !math.IsNaN(loadD) && !math.IsNaN(loadC) && loadD-loadC >= loadGap {
		why = append(why, fmt.Sprintf("run %s was recorded at load average %.2f against %.2f", dearer, loadD, loadC))
	}
	if len(why) == 0 {
		return "differs: nothing recorded explains it"
	}
	return "differs: " + strings.Join(why, "; ")
}

// Bimodal says whether the windows' cycles per packet fall into two groups:
// sorted, some gap between neighbours exceeds bimodalGap of the median with
// at least two windows on each side.
func Bimodal(cpp []float64) bool {
	if len(cpp) < 4 {
		return false
	}
	s := slices.Sorted(slices.Values(cpp))
	med := s[(len(s)-1)/2]
	for i := 2; i <= len(s)-2; i++ {
		if s[i]-s[i-1] > bimodalGap*med {
			return true
		}
	}
	return false
}

// load1 is the one-minute load average of /proc/loadavg's text, NaN when
// it cannot be read.
func load1(s string) float64 {
	f := strings.Fields(s)
	if len(f) == 0 {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(f[0], 64)
	if err != nil {
		return math.NaN()
	}
	return v
}

// mean is stat.Mean, 0 for no values (a run recorded without shares).
func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	return stat.Mean(v, nil)
}

// WriteTable writes the comparison as Markdown with its summary line.
func (rep *Repeatability) WriteTable(out io.Writer) error {
	var w strings.Builder
	fmt.Fprintf(&w, "Repeatability: run A (%s) against run B (%s)\n\n", rep.A, rep.B)
	w.WriteString("| configuration | A cycles/packet | B cycles/packet | B - A | A spread | B spread | A others' share | B others' share | verdict |\n")
	w.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, r := range rep.Rows {
		fmt.Fprintf(&w, "| %s | %.0f | %.0f | %+.1f%% | %.0f%%%s | %.0f%%%s | %.0f%% | %.0f%% | %s |\n", r.Name, r.CPPA, r.CPPB, r.DiffPct,
			r.SpreadA, mark(r.BimodalA), r.SpreadB, mark(r.BimodalB), 100*r.OtherA, 100*r.OtherB, r.Verdict)
	}
	fmt.Fprintf(&w, "\n%d of %d configurations repeat within %g%% (* bimodal windows)\n", rep.Within, len(rep.Rows), rep.TolerancePct)
	if rep.Machines != "" {
		fmt.Fprintf(&w, "The runs were recorded on different machines: %s. This compares hosts; it is no repeatability check.\n", rep.Machines)
	}
	_, err := io.WriteString(out, w.String())
	return err
}

func mark(b bool) string {
	if b {
		return "*"
	}
	return ""
}
