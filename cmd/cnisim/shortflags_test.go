package main

import (
	"strings"
	"testing"
)

// The common flags have short forms (issue 24): -o --out, -f --format,
// -p --parallel, -s --set, shown in each command's help.
func TestShortFlags(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		cmd  []string
		want []string
	}{
		{[]string{"run"}, []string{"-o, --out", "-f, --format", "-p, --parallel", "-s, --set"}},
		{[]string{"solve"}, []string{"-f, --format", "-p, --parallel", "-s, --set"}},
		{[]string{"merge"}, []string{"-o, --out", "-f, --format"}},
		{[]string{"experiment"}, []string{"-o, --out", "-p, --parallel"}},
		{[]string{"reproduce"}, []string{"-o, --out", "-p, --parallel"}},
		{[]string{"calibrate", "perf"}, []string{"-o, --out", "-f, --format"}},
	} {
		code, out, _ := invoke(append(tt.cmd, "--help")...)
		for _, w := range tt.want {
			if code != 0 || !strings.Contains(out, w) {
				t.Errorf("%v --help: exit %d, lacks %q", tt.cmd, code, w)
			}
		}
	}
}
