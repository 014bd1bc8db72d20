package catalog

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/report"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/simulate"
)

func TestRegistry(t *testing.T) {
	t.Parallel()
	// The report's order: the paper's figures, the vendor analysis, the
	// what-if studies, then the testbed; each name once.
	want := []string{
		"paper-fig3", "paper-fig4", "paper-fig5", "paper-fig6", "paper-fig7",
		"blog-async-curl", "blog-mtu9000", "blog-wrk",
		"whatif-mtu", "whatif-policy-rules", "whatif-encap-vs-direct", "whatif-encryption-mtu", "whatif-offloads", "whatif-services", "whatif-fabric",
		"whatif-dctcp", "whatif-queries", "whatif-linux-cubic", "whatif-host-qdisc", "testbed-validation",
	}
	if names := Names(); !slices.Equal(names, want) {
		t.Errorf("Names() = %v, want %v", names, want)
	}
	for _, e := range All() {
		if e.Title == "" || e.About == "" || e.Analyse == nil || len(e.Scenarios) == 0 || len(e.Needs) == 0 {
			t.Errorf("%s: incomplete definition", e.Name)
		}
		for _, f := range e.Scenarios {
			for _, quick := range []bool{false, true} {
				p, err := e.Load(f, quick, 0, simulate.Validate)
				if err != nil {
					t.Errorf("%s %s quick=%v: %v", e.Name, f, quick, err)
					continue
				}
				if !slices.Contains(e.Needs, p.Base.Workload.Kind) && !sweeps(p, "workload.kind") {
					t.Errorf("%s %s: workload %s not in Needs %v", e.Name, f, p.Base.Workload.Kind, e.Needs)
				}
			}
		}
	}
	if _, err := Lookup("no-such"); err == nil || !strings.Contains(err.Error(), "paper-fig3") {
		t.Errorf("Lookup of an unknown name: %v, want the valid names listed", err)
	}
}

func sweeps(p *scenario.Plan, key string) bool {
	for _, a := range p.Axes {
		if a.Key == key {
			return true
		}
	}
	return false
}

// tableRows is the number of rows each experiment's tables must have:
// one per configuration of the source's figure.
var tableRows = map[string][]int{
	"paper-fig3":             {6, 8},   // intra: 6 CNIs; inter: 8
	"paper-fig4":             {6},      //
	"paper-fig5":             {8},      //
	"paper-fig6":             {8},      //
	"paper-fig7":             {5, -1},  // 5 CNIs; stages vary
	"blog-async-curl":        {3, 2},   // 2 quick runs + total; 2 modes
	"blog-mtu9000":           {10},     // 9 plugin modes + host
	"blog-wrk":               {1, 4},   // one load; 4 CPU contexts
	"whatif-mtu":             {7},      // 7 MTUs
	"whatif-policy-rules":    {7},      // 7 rule counts
	"whatif-encap-vs-direct": {27},     // 9 modes x 3 links
	"whatif-encryption-mtu":  {5},      // 3 pod MTUs at 9000, 2 at 1500
	"whatif-offloads":        {24, 4},  // 6 modes x offloads off/on x 2 links; the held-out GRE case x 2 per-frame GRO costs
	"testbed-validation":     {23, 23}, // the 23 modelled configurations of testbed/testdata/run9, and their UDP windows
	"whatif-services":        {6},      // Services 100..30,000
	"whatif-fabric":          {8},      // 2 oversubscriptions x 2 modes x offloads off/on
	"whatif-dctcp":           {4},      // 2 modes x 2 congestion controls
	"whatif-queries":         {4},      // 2 modes x 2 congestion controls
	"whatif-linux-cubic":     {4},      // 2 modes x 2 CUBICs
	"whatif-host-qdisc":      {6},      // 3 Flannel backends x 2 qdiscs
}

// mustPass are the orderings that the quick results must show (the
// paper's robust ones: deterministic per-packet costs, not TCP dynamics).
var mustPass = map[string][]string{
	"paper-fig3": {
		"intra: highest TCP throughput", "intra: lowest TCP_RR latency", "intra: lowest UDP_RR latency",
		"intra: lowest TCP throughput", "intra: highest TCP_RR latency", "intra: highest UDP_RR latency",
		"inter: every native routing CNI below every overlay in TCP_RR latency",
		"inter: every native routing CNI below every overlay in UDP_RR latency",
	},
	"paper-fig4": {"highest total CPP", "lowest total CPP"},
	"paper-fig5": {"every native routing CNI below every overlay in total CPP"},
	"paper-fig6": {"most FIB lookups"},
	"whatif-offloads": {
		"Flannel vxlan: offloads raise the stream's throughput and cut its cycles per packet at the fastest link",
		"Calico native: offloads raise the stream's throughput and cut its cycles per packet at the fastest link",
	},
}

// TestQuick runs every experiment's quick form as reproduce does and
// checks its tables, orderings, files and the report's links, and compares
// every table cell, note and report check with its golden numbers in
// testdata/quick/NAME.json (after an intended change: go test
// ./experiments/catalog -run '^TestQuick$' -update, then review the diff).
func TestQuick(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: runs every catalog experiment's quick form and compares its golden numbers (~20 s)")
	}
	dir := t.TempDir()
	r := &Runner{Model: simulate.Model, Validate: simulate.Validate, Quick: true, Version: "test"}
	doc := &report.Document{Title: "test"}
	for _, e := range All() {
		sec, err := r.Produce(context.Background(), e, filepath.Join(dir, e.Name), e.Name)
		doc.Sections = append(doc.Sections, sec)
		if err != nil {
			t.Errorf("%s: %v", e.Name, err)
			continue
		}
		if sec.Skipped != "" {
			checkQuickGolden(t, sec) // pins that it is skipped, and why
			continue
		}
		want := tableRows[e.Name]
		if len(sec.Tables) != len(want) {
			t.Errorf("%s: %d tables, want %d", e.Name, len(sec.Tables), len(want))
		}
		for i := range min(len(want), len(sec.Tables)) {
			if n := len(sec.Tables[i].Rows); want[i] >= 0 && n != want[i] {
				t.Errorf("%s: table %d has %d rows, want %d", e.Name, i, n, want[i])
			}
		}
		for _, claim := range mustPass[e.Name] {
			i := slices.IndexFunc(sec.Checks, func(c report.Check) bool { return c.Claim == claim })
			if i < 0 {
				t.Errorf("%s: no check %q", e.Name, claim)
			} else if c := sec.Checks[i]; c.Status != report.Pass && !(c.Status == report.Unresolved && c.Reps < 2) {
				// one replication (whatif-offloads' quick form) has no interval to resolve an ordering
				t.Errorf("%s: %q: source %s, predicted %s", e.Name, claim, c.SourceVal, c.Predicted)
			}
		}
		// Every cell of every table and every check's status and values,
		// pinned: the checks mustPass does not name are held by this.
		checkQuickGolden(t, sec)
		if len(sec.Figures) == 0 {
			t.Errorf("%s: no figures", e.Name)
		}
		for _, im := range sec.Figures {
			checkPNG(t, filepath.Join(dir, im.File))
			b, err := os.ReadFile(filepath.Join(dir, im.Alt))
			if err != nil || !bytes.Contains(b, []byte("<svg")) {
				t.Errorf("%s: %s is not an SVG (%v)", e.Name, im.Alt, err)
			}
		}
	}
	md := report.Markdown(doc)
	links := report.Links(md)
	if len(links) < 2*len(All()) {
		t.Errorf("REPORT.md has %d links, want figures and data of every experiment", len(links))
	}
	for _, l := range links {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(l))); err != nil {
			t.Errorf("REPORT.md links %s: %v", l, err)
		}
	}
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 200 {
		t.Errorf("%s: %v, too small to read", path, b)
	}
}

// TestSameAsRun: an experiment's results.json is what `cnisim run` writes
// for the scenario.toml written beside it (Load, RunUnits, Aggregate), and
// does not depend on the number of workers.
func TestSameAsRun(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: runs whatif-policy-rules three times (~2 s)")
	}
	e, err := Lookup("whatif-policy-rules")
	if err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	for _, par := range []int{1, 2} {
		r := &Runner{Model: simulate.Model, Validate: simulate.Validate, Quick: true, Parallel: par, Version: "test"}
		d, err := r.Run(context.Background(), e)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := d.Files(&Output{}, "test")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, file(t, fs, "results.json"))
		if par == 2 {
			toml := file(t, fs, "scenario.toml")
			plan, err := scenario.Load("scenario.toml", toml, scenario.Options{Validate: simulate.Validate})
			if err != nil {
				t.Fatal(err)
			}
			res, err := run.Run(context.Background(), plan, simulate.Model, run.Config{Version: "test"})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := res.WriteJSON(&b); err != nil {
				t.Fatal(err)
			}
			got = append(got, b.Bytes())
		}
	}
	for i := 1; i < len(got); i++ {
		if !bytes.Equal(got[0], got[i]) {
			t.Errorf("results.json differs between the experiment (parallel 1), the experiment (parallel 2) and a run of its scenario.toml: case %d", i)
		}
	}
}

func file(t *testing.T, fs []resultsFile, name string) []byte {
	t.Helper()
	for _, f := range fs {
		if f.Name == name {
			return f.Data
		}
	}
	t.Fatalf("no %s among the files", name)
	return nil
}

// Every experiment says how far to trust it, and no entry names an
// experiment that does not exist.
func TestEveryExperimentHasTrust(t *testing.T) {
	t.Parallel()
	for _, e := range All() {
		if len(trust[e.Name]) < 80 {
			t.Errorf("%s: no trust paragraph (catalog/trust.go)", e.Name)
		}
	}
	for name := range trust {
		if _, err := Lookup(name); err != nil {
			t.Errorf("trust.go: %v", err)
		}
	}
}

// A user's --set reaches every scenario of an experiment last and its
// section's command line; a key the experiment sweeps is refused.
func TestLoadWithSets(t *testing.T) {
	set, err := scenario.ParseSet("tcp.linux_cubic=true")
	if err != nil {
		t.Fatal(err)
	}
	p, err := whatifDCTCP.LoadWith("dctcp.toml", true, 0, []scenario.Override{set}, simulate.Validate)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Base.TCP.LinuxCubic || p.Base.Replications != 2 {
		t.Errorf("linux_cubic %v, replications %d: want the --set and the quick form both", p.Base.TCP.LinuxCubic, p.Base.Replications)
	}
	if got, want := (&Runner{Quick: true, Sets: []scenario.Override{set}}).command(whatifDCTCP), "cnisim experiment whatif-dctcp --quick --set tcp.linux_cubic=true"; got != want {
		t.Errorf("command %q, want %q", got, want)
	}
	if _, err := whatifLinuxCubic.LoadWith("linux-cubic.toml", false, 0, []scenario.Override{set}, simulate.Validate); err == nil ||
		!strings.Contains(err.Error(), "sweeps tcp.linux_cubic") || !strings.Contains(err.Error(), "linux-cubic.toml") {
		t.Errorf("--set of a swept key: %v, want it refused, key and scenario named", err)
	}
	// reproduce skips such an experiment, before running anything
	sec, err := (&Runner{Sets: []scenario.Override{set}}).Produce(context.Background(), whatifLinuxCubic, t.TempDir(), "")
	if err != nil || !strings.Contains(sec.Skipped, "sweeps tcp.linux_cubic") {
		t.Errorf("Produce with a swept --set: skipped %q, %v; want it skipped, the key named", sec.Skipped, err)
	}
}
