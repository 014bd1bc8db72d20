package tomlx_test

import (
	"testing"

	"github.com/cnisim/cnisim/internal/tomlx"
)

func TestLine(t *testing.T) {
	t.Parallel()
	data := []byte(`# a comment
name = "x"
note = """
fake = 1
"""
[cluster]
mtu = 1500
"quoted.key" = 2
a . b = 3

[[stage]]
name = "s1"
[sweep]
"cluster.mtu" = [1500, 9000]
`)
	idx := tomlx.Index(data)
	for _, c := range []struct {
		path []string
		want int
	}{
		{[]string{"name"}, 2},
		{[]string{"note"}, 3},
		{[]string{"fake"}, 0}, // inside a multi-line string
		{[]string{"cluster"}, 6},
		{[]string{"cluster", "mtu"}, 7},
		{[]string{"cluster", "quoted.key"}, 8},
		{[]string{"cluster", "a", "b"}, 9},
		{[]string{"cluster", "missing"}, 6}, // falls back to the table
		{[]string{"stage", "name"}, 12},
		{[]string{"sweep", "cluster.mtu"}, 14},
		{[]string{"nothing", "here"}, 0},
		{[]string{"stage", tomlx.Occurrence(0), "name"}, 12},
		{[]string{"cluster", tomlx.Occurrence(0), "mtu"}, 7},
	} {
		if got := idx.Line(c.path...); got != c.want {
			t.Errorf("Line(%q) = %d, want %d", c.path, got, c.want)
		}
	}
}

// Arrays of tables: the k-th occurrence's keys, its header when a key is
// missing there, and the first occurrence without an index.
func TestOccurrence(t *testing.T) {
	t.Parallel()
	idx := tomlx.Index([]byte(`[[cost]]
stage = "veth"
"cycles" = 1

[[ cost ]]
stage = "bridge"
`))
	for _, c := range []struct {
		path []string
		want int
	}{
		{[]string{"cost", tomlx.Occurrence(0), "stage"}, 2},
		{[]string{"cost", tomlx.Occurrence(0), "cycles"}, 3},
		{[]string{"cost", tomlx.Occurrence(1), "stage"}, 6},
		{[]string{"cost", tomlx.Occurrence(1), "cycles"}, 5},
		{[]string{"cost", "stage"}, 2},
		{[]string{"cost", tomlx.Occurrence(2), "stage"}, 1},
	} {
		if got := idx.Line(c.path...); got != c.want {
			t.Errorf("Line(%q) = %d, want %d", c.path, got, c.want)
		}
	}
}
