package scenario

import (
	"slices"
	"strings"
	"testing"
)

// TestTraceNodes: trace.nodes takes a node, a list or a comma list, and
// refuses nodes the cluster does not have, repeats and other types with
// the key and what is allowed.
func TestTraceNodes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		value string // TOML
		want  []int  // nil: every node
		err   string
	}{
		{`""`, nil, ""},
		{`1`, []int{1}, ""},
		{`[0, 3]`, []int{0, 3}, ""},
		{`"3, 0"`, []int{3, 0}, ""},
		{`4`, nil, `"4" is not a node (allowed: 0..3`},
		{`[1, 1]`, nil, "node 1 listed twice"},
		{`"0,x"`, nil, `"x" is not a node`},
		{`[0, "a"]`, nil, `want node numbers, got string "a"`},
		{`true`, nil, "want a node number, a list of them"},
	} {
		p, err := Load("t.toml", []byte("[cluster]\nnodes = 4\n[trace]\npcap = true\nnodes = "+c.value+"\n"), Options{})
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "t.toml:5: trace.nodes") {
				t.Errorf("nodes = %s: error %v, want one at t.toml:5 saying %q", c.value, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("nodes = %s: %v", c.value, err)
			continue
		}
		got, err := ParseTraceNodes(p.Base.Trace.Nodes, p.Base.Cluster.Nodes)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("nodes = %s: %v, %v; want %v", c.value, got, err, c.want)
		}
	}
}

// FuzzParseTraceNodes: any list parses to distinct nodes of the cluster
// or errors, never panics.
func FuzzParseTraceNodes(f *testing.F) {
	for _, s := range []string{"", "0", "0,1", " 2 , 0", "1,1", "-1", "x", "99999999999999999999"} {
		f.Add(s, 4)
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 1 || n > 10_000 {
			return
		}
		nodes, err := ParseTraceNodes(s, n)
		if err != nil {
			return
		}
		seen := map[int]bool{}
		for _, k := range nodes {
			if k < 0 || k >= n || seen[k] {
				t.Fatalf("%q over %d nodes: %v", s, n, nodes)
			}
			seen[k] = true
		}
	})
}
