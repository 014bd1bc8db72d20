package main

import (
	"bytes"
	"strings"
	"testing"
)

// invoke runs the CLI in-process and returns exit code, stdout and stderr.
func invoke(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := runMain(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		args     []string
		code     int
		inStderr string
	}{
		{nil, 2, "Usage"},
		{[]string{"bogus"}, 2, `unknown command "bogus"`},
		{[]string{"version"}, 0, ""},
		{[]string{"version", "--nope"}, 2, "unknown flag: --nope"},
		{[]string{"version", "extra"}, 2, "unexpected arguments"},
		{[]string{"list"}, 2, "missing one of"},
		{[]string{"list", "nothing"}, 2, `unknown catalogue "nothing"`},
		{[]string{"list", "stages"}, 0, ""},
		{[]string{"--help"}, 0, ""},
	}
	for _, c := range cases {
		code, _, stderr := invoke(c.args...)
		if code != c.code {
			t.Errorf("cnisim %v: exit %d, want %d (stderr %q)", c.args, code, c.code, stderr)
		}
		if !strings.Contains(stderr, c.inStderr) {
			t.Errorf("cnisim %v: stderr %q lacks %q", c.args, stderr, c.inStderr)
		}
		if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
			t.Errorf("cnisim %v: stack trace in stderr", c.args)
		}
	}
}

// Help that was asked for is output (stdout, exit 0), whichever way it was
// asked for; --version is the version command.
func TestHelpToStdout(t *testing.T) {
	for _, args := range [][]string{{"version", "--help"}, {"help", "version"}, {"version", "-h"}, {"--help", "version"}} {
		code, out, stderr := invoke(args...)
		if code != 0 || !strings.Contains(out, "Usage: cnisim version") || stderr != "" {
			t.Errorf("cnisim %v: exit %d, stdout %q, stderr %q", args, code, out, stderr)
		}
	}
	if code, out, _ := invoke("--version"); code != 0 || !strings.HasPrefix(out, "cnisim "+version) {
		t.Errorf("--version: %d %q", code, out)
	}
	if code, _, stderr := invoke("help", "bogus"); code != 2 || !strings.Contains(stderr, `unknown command "bogus"`) {
		t.Errorf("help bogus: %d %q", code, stderr)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := invoke("version")
	if code != 0 || !strings.HasPrefix(out, "cnisim "+version) {
		t.Fatalf("version: %d %q", code, out)
	}
}

func TestListStagesCoversDesignKinds(t *testing.T) {
	t.Parallel()
	_, out, _ := invoke("list", "stages")
	// DESIGN 2 "Datapath graphs": the canonical stage kinds.
	for _, k := range strings.Fields("veth bridge fib ip_forward netfilter ebpf vxlan geneve ipip gre ovs userspace encrypt tcp socket_copy nic") {
		if !strings.Contains(out, "\n"+k+" ") {
			t.Errorf("list stages lacks %s", k)
		}
	}
}
