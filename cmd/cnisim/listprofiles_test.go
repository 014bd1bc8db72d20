package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

// The listing's counts agree with the TOML text of the built-in profile,
// counted here without the calibration package.
func TestListProfiles(t *testing.T) {
	t.Parallel()
	code, out, stderr := invoke("list", "profiles")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile("../../calibration/profiles/paper.toml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	want := []string{"paper", "2.4",
		strconv.Itoa(strings.Count(text, "[[cost]]")),
		strconv.Itoa(strings.Count(text, "[[rule_cost]]")),
		strconv.Itoa(strings.Count(text, "[[gro_frame]]")),
		strconv.Itoa(strings.Count(text, "[[gso_segment]]")),
		strconv.Itoa(strings.Count(text, `provenance = "measured"`)),
		strconv.Itoa(strings.Count(text, `provenance = "quoted"`)),
		strconv.Itoa(strings.Count(text, `provenance = "derived"`)),
		strconv.Itoa(strings.Count(text, `provenance = "assumed"`)),
		"ebpf,iptables,ovs",
		"clock", // per_byte_scaling: the paper profile states none
	}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && f[0] == "paper" {
			if got := f[:len(want)]; strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("paper row %v, want %v", got, want)
			}
			if !strings.Contains(line, "CNI paper") {
				t.Errorf("paper row lacks its description: %q", line)
			}
			return
		}
	}
	t.Fatalf("no paper row in:\n%s", out)
}

func TestListNamesProfiles(t *testing.T) {
	t.Parallel()
	_, _, stderr := invoke("list", "nothing")
	if !strings.Contains(stderr, "profiles") {
		t.Errorf("list's valid catalogues lack profiles: %q", stderr)
	}
}
