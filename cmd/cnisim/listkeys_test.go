package main

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// Every scenario key has a meaning, and every meaning names a key: a key
// added to experiments/scenario fails here until it is explained.
func TestEveryKeyHasMeaning(t *testing.T) {
	t.Parallel()
	keys := append(scenario.Keys(), extraKeys...)
	for _, k := range keys {
		if strings.TrimSpace(keyMeanings[k]) == "" {
			t.Errorf("scenario key %s has no meaning in keyMeanings (cmd/cnisim/listkeys.go)", k)
		}
	}
	for k := range keyMeanings {
		if !slices.Contains(keys, k) {
			t.Errorf("keyMeanings has %s, which is not a scenario key", k)
		}
	}
}

func TestEveryMetricHasMeaning(t *testing.T) {
	t.Parallel()
	for _, n := range results.Order {
		if m := metricMeanings[n]; m.meaning == "" || m.unit == "" || m.shape == "" {
			t.Errorf("metric %s lacks shape, unit or meaning in metricMeanings", n)
		}
	}
	if len(metricMeanings) != len(results.Order) {
		t.Errorf("%d meanings for %d metrics", len(metricMeanings), len(results.Order))
	}
}

// CLI table: list keys and list metrics in both formats, and bad formats.
func TestListKeysMetricsCLI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args     []string
		code     int
		contains []string
	}{
		{[]string{"list", "keys"}, 0, []string{
			"KEY ", "TYPE", "DEFAULT", "MEANING",
			"cluster.mtu", "integer", "1500",
			"duration", `"10s"`,
			"tcp.congestion", `"cubic"`, "(cubic, reno, dctcp)",
			"calibration.cycles.<stage>",
		}},
		{[]string{"list", "metrics"}, 0, []string{"METRIC", "throughput_mbps", "Mbit/s", "rtt_us", "distribution", "cpp_by_stage", "group"}},
		{[]string{"list", "keys", "--format", "json"}, 0, []string{`{"key": "cluster.mtu", "type": "integer", "default": "1500", "meaning": "underlay (NIC) MTU, bytes"}`}},
		{[]string{"list", "metrics", "-f", "json"}, 0, []string{`"metric": "pod_launch_s"`}},
		{[]string{"list", "stages", "--format=json"}, 0, []string{`{"stage": "veth", "description": `}},
		{[]string{"list", "plugins", "--format", "json"}, 0, []string{`"plugin": "flannel"`, `"default_mode": "vxlan"`}},
		{[]string{"list", "plugins"}, 0, []string{"MODES (DEFAULT FIRST)"}}, // Table I layout kept
		{[]string{"list", "keys", "--format", "yaml"}, 2, []string{`--format "yaml": allowed values are table, json`}},
	} {
		code, out, stderr := invoke(tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, stderr)
			continue
		}
		for _, want := range tc.contains {
			if !strings.Contains(out+stderr, want) {
				t.Errorf("%v: output lacks %q:\n%s%s", tc.args, want, out, stderr)
			}
		}
	}
}

// Every lister's JSON parses, with as many objects as table rows and the
// same keys in each.
func TestListJSONParses(t *testing.T) {
	t.Parallel()
	for _, name := range listerList() {
		code, out, stderr := invoke("list", name, "--format", "json")
		if code != 0 {
			t.Fatalf("list %s: exit %d: %s", name, code, stderr)
		}
		var rows []map[string]string
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("list %s --format json: %v\n%s", name, err, out)
		}
		l, err := listers[name]()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(l.rows) || len(rows) == 0 {
			t.Errorf("list %s: %d JSON objects, %d rows", name, len(rows), len(l.rows))
		}
		for i, r := range rows {
			if len(r) != len(l.header) {
				t.Errorf("list %s: object %d has %d keys, want %d", name, i, len(r), len(l.header))
			}
		}
	}
}
