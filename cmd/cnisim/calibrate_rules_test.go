package main

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
	"github.com/cnisim/cnisim/calibration"
)

// seriesDir is the rule series of host 2 (calibration/perf/testdata/perf
// README, "Host 2").
const seriesDir = "../../calibration/perf/testdata/perf/series-host2"

// TestCalibrateRulesFromCaptures walks the README's workflow on real
// captures: `calibrate perf --format json` of each capture (its traffic's
// comms), then `calibrate rules` with the cache term. It must give what
// the library gives on the same captures (TestRuleSeries: 15.51 cycles per
// rule and 2.36 more beyond the 1311 rules half the 512 KiB L2 holds).
func TestCalibrateRulesFromCaptures(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: calibrates 12 real captures")
	}
	t.Parallel()
	// data_packets of each capture, from series-host2/manifest.toml
	var m struct {
		Capture []struct {
			Name        string `toml:"name"`
			DataPackets int64  `toml:"data_packets"`
		} `toml:"capture"`
	}
	if _, err := toml.DecodeFile(filepath.Join(seriesDir, "manifest.toml"), &m); err != nil {
		t.Fatal(err)
	}
	packets := map[string]int64{}
	for _, c := range m.Capture {
		packets[c.Name] = c.DataPackets
	}
	dir := t.TempDir()
	jsonOf := func(rules string) []string {
		var files []string
		for _, rep := range []string{"", "-r2", "-r3", "-r4"} {
			name := "ipt-legacy-" + rules + rep
			code, stdout, stderr := invoke("calibrate", "perf", "--script", filepath.Join(seriesDir, name+".script.gz"),
				"--packets", strconv.FormatInt(packets[name], 10), "--cpu-ghz", "2.445", "--cpus", "1",
				"--comm", "cnifx-sender,ksoftirqd/1,swapper*", "--format", "json")
			if code != 0 {
				t.Fatalf("calibrate perf %s: exit %d: %s", name, code, stderr)
			}
			f := filepath.Join(dir, name+".json")
			if err := os.WriteFile(f, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
		return files
	}
	zero, with, beyond := jsonOf("0"), jsonOf("1000"), jsonOf("8000")
	code, stdout, stderr := invoke("calibrate", "rules", "--engine", "iptables",
		"--zero", strings.Join(zero, ","), "--rules", "1000", "--with", strings.Join(with, ","),
		"--beyond", "8000", "--beyond-with", strings.Join(beyond, ","), "--table-bytes", "200", "--cache-bytes", "262144",
		"--source", "series-host2")
	if code != 0 {
		t.Fatalf("calibrate rules: exit %d: %s", code, stderr)
	}
	// The printed table, added to a profile, parses and prices the rules.
	p, err := calibration.Parse([]byte("name = \"t\"\ncpu_ghz = 2.445\n\n"+stdout), "printed")
	if err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	rc := p.RuleCosts[0]
	if math.Abs(*rc.CyclesPerRule-15.51) > 0.01 || math.Abs(*rc.UncachedCyclesPerRule-2.36) > 0.01 || math.Abs(rc.CachedRules()-1310.72) > 1e-9 {
		t.Errorf("cycles per rule %v, uncached %v, cached rules %v; want 15.51, 2.36, 1310.72\n%s", *rc.CyclesPerRule, *rc.UncachedCyclesPerRule, rc.CachedRules(), stdout)
	}
	if rc.Provenance != calibration.Measured || !strings.Contains(rc.Source, "series-host2") {
		t.Errorf("provenance %q, source %q", rc.Provenance, rc.Source)
	}
}

// Bad flags name the flag and the allowed values.
func TestCalibrateRulesErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "a.json")
	if err := os.WriteFile(good, []byte(`{"stages": {"netfilter": {"cpp": 500}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "b.json")
	if err := os.WriteFile(bad, []byte(`{"stages": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	cheaper := filepath.Join(dir, "c.json")
	if err := os.WriteFile(cheaper, []byte(`{"stages": {"netfilter": {"cpp": 400}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"calibrate", "rules", "--engine", "iptables", "--zero", good, "--rules", "1000", "--with", good}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"calibrate", "rules", "--engine", "pf"}, `--engine "pf": want one of iptables, nftables`},
		{[]string{"calibrate", "rules", "--engine", "iptables", "--rules", "10"}, "--zero and --with are required"},
		{append(append([]string{}, base[:7]...), "0", "--with", good), "--rules 0"},
		{append(append([]string{}, base...), "--beyond", "8000"), "all of --beyond, --beyond-with, --table-bytes and --cache-bytes (1 of 4 given)"},
		{append(append([]string{}, base...), "--beyond", "500", "--beyond-with", good, "--table-bytes", "200", "--cache-bytes", "1e5"), "--beyond 500: want more rules than --rules 1000"},
		{append(append([]string{}, base...), "--beyond", "8000", "--beyond-with", good, "--table-bytes", "0", "--cache-bytes", "1e5"), "--table-bytes 0"},
		{[]string{"calibrate", "rules", "--engine", "iptables", "--zero", bad, "--rules", "10", "--with", good}, "b.json: not calibrate perf --format json output"},
		{[]string{"calibrate", "rules", "--engine", "iptables", "--zero", filepath.Join(dir, "none.json"), "--rules", "10", "--with", good}, "none.json"},
		{[]string{"calibrate", "rules", "--engine", "iptables", "--zero", "/dev/zero", "--rules", "10", "--with", good}, "/dev/zero: larger than"},
		// the rules cost less than the rule-free captures: not walked
		{[]string{"calibrate", "rules", "--engine", "iptables", "--zero", good, "--rules", "10", "--with", cheaper}, "the rules were not walked"},
	} {
		code, _, stderr := invoke(c.args...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("cnisim %v: exit %d, stderr %q; want an error with %q", c.args, code, stderr, c.want)
		}
	}
}

// FuzzNetfilterCPPs: any file given to calibrate rules is read or refused
// with an error naming it, never a panic.
func FuzzNetfilterCPPs(f *testing.F) {
	f.Add([]byte(`{"stages": {"netfilter": {"cpp": 500}}}`))
	f.Add([]byte(`{"stages": {}}`))
	f.Add([]byte(`{"stages": {"netfilter": {"cpp": "x"}}}`))
	f.Add([]byte(`[1,2]`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "in.json")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		v, err := netfilterCPPs("--zero", []string{file})
		if err != nil {
			if !strings.Contains(err.Error(), file) {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		if len(v) != 1 {
			t.Errorf("%d values for one file", len(v))
		}
	})
}
