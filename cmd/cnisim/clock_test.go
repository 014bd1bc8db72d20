package main

import (
	"strings"
	"testing"
)

// per_byte_scaling through the CLI: validate shows it and refuses a bad
// value with file:line and the allowed values (exit 2); list profiles has
// a column for it; a layered scenario says what the merge scales as.
func TestPerByteScalingCLI(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := fileWriter(t, dir)
	const prof = "name = \"copies\"\ncpu_ghz = 3.0\nper_byte_scaling = %q\n[[cost]]\nstage = \"socket_copy\"\ncycles = 0\ncycles_per_byte = 0.4\nprovenance = \"assumed\"\nsource = \"test\"\n"
	good := write("good.toml", strings.Replace(prof, "%q", `"fixed"`, 1))
	bad := write("bad.toml", strings.Replace(prof, "%q", `"bandwidth"`, 1))
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"validate", good}, 0, "per-byte costs scale: fixed"},
		{[]string{"validate", bad}, 2, bad + ":3: per_byte_scaling: unknown value \"bandwidth\" (valid: clock, fixed"},
		{[]string{"list", "profiles"}, 0, "PER_BYTE"},
		{[]string{"validate", write("s.toml", "name = \"s\"\n[calibration]\nprofile = [\"paper\", \"good.toml\"]\n")}, 0,
			"(the last layer's); per-byte costs scale: fixed"},
	} {
		code, stdout, stderr := cli(c.args...)
		if code != c.code || !strings.Contains(stdout+stderr, c.want) {
			t.Errorf("%v: exit %d, want %d; output %q, want %q", c.args, code, c.code, stdout+stderr, c.want)
		}
	}
}
