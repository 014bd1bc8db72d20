package tomlx

import "testing"

func TestLines(t *testing.T) {
	t.Parallel()
	src := `name = "x"
description = """
a = 1
[[cost]]
"""
[[cost]]
stage = "veth"
"cycles" = 1

[[ cost ]]
stage = "bridge"
[extra]
k = 2
`
	l := Index([]byte(src))
	cases := []struct {
		table string
		index int
		key   string
		want  int
	}{
		{"", -1, "name", 1},
		{"", -1, "a", 0}, // inside a multi-line string
		{"cost", 0, "stage", 7},
		{"cost", 0, "cycles", 8}, // quoted key
		{"cost", 1, "stage", 11},
		{"cost", 1, "cycles", 10}, // missing: its table header
		{"cost", -1, "stage", 7},
		{"extra", -1, "k", 13},
		{"nope", -1, "k", 0},
	}
	for _, c := range cases {
		if got := l.At(c.table, c.index, c.key); got != c.want {
			t.Errorf("At(%q, %d, %q) = %d, want %d", c.table, c.index, c.key, got, c.want)
		}
	}
	if w := l.Where("f", "cost", 1, "stage"); w != "f:11" {
		t.Errorf("Where = %q", w)
	}
	if w := l.Where("f", "nope", 0, "x"); w != "f" {
		t.Errorf("Where = %q", w)
	}
}
