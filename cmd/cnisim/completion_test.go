package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The bash script parses (bash -n) and completes commands, list targets,
// experiment names, subcommands and flags when driven as bash would.
func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	code, script, stderr := invoke("completion", "bash")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	f := filepath.Join(t.TempDir(), "cnisim.bash")
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-n", f).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	for _, tc := range []struct {
		words []string // the command line, the last word being completed
		want  []string
		not   []string
	}{
		{[]string{"cnisim", "li"}, []string{"list"}, []string{"run"}},
		{[]string{"cnisim", ""}, []string{"run", "list", "completion", "reproduce", "help"}, nil},
		{[]string{"cnisim", "list", "k"}, []string{"keys"}, []string{"metrics"}},
		{[]string{"cnisim", "list", ""}, []string{"keys", "metrics", "plugins", "profiles", "stages", "experiments"}, nil},
		{[]string{"cnisim", "list", "--f"}, []string{"--format"}, nil},
		{[]string{"cnisim", "experiment", "paper-fig"}, []string{"paper-fig3", "paper-fig7"}, []string{"whatif-mtu"}},
		{[]string{"cnisim", "run", "--o"}, []string{"--out"}, nil},
		{[]string{"cnisim", "run", "x.toml", "--se"}, []string{"--seed", "--set"}, nil},
		{[]string{"cnisim", "calibrate", ""}, []string{"perf", "fit"}, nil},
		{[]string{"cnisim", "calibrate", "perf", "--scr"}, []string{"--script"}, nil},
		{[]string{"cnisim", "completion", ""}, []string{"bash", "zsh", "fish"}, nil},
	} {
		words := make([]string, len(tc.words))
		for i, w := range tc.words {
			words[i] = "'" + w + "'"
		}
		prog := "source " + f + "\nCOMP_WORDS=(" + strings.Join(words, " ") + ")\nCOMP_CWORD=" +
			strconv.Itoa(len(tc.words)-1) + "\n_cnisim\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		out, err := exec.Command("bash", "-c", prog).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", tc.words, err, out)
		}
		got := strings.Fields(string(out))
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("%v: completions %v lack %s", tc.words, got, w)
			}
		}
		for _, w := range tc.not {
			if slices.Contains(got, w) {
				t.Errorf("%v: completions %v include %s", tc.words, got, w)
			}
		}
	}
}

// zsh and fish scripts: parsed by their shells where installed, and
// carrying the commands and flags in any case.
func TestCompletionZshFish(t *testing.T) {
	for _, tc := range []struct {
		shell string
		want  []string
	}{
		{"zsh", []string{"#compdef cnisim", "bashcompinit", "complete -o filenames -F _cnisim cnisim"}},
		{"fish", []string{"complete -c cnisim -n __fish_use_subcommand -a", "'__fish_seen_subcommand_from list' -a \"devices experiments keys metrics plugins profiles stages\"", "'__fish_seen_subcommand_from run' -l out", "-s f"}},
	} {
		code, script, stderr := invoke("completion", tc.shell)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.shell, code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(script, w) {
				t.Errorf("%s script lacks %q", tc.shell, w)
			}
		}
		if _, err := exec.LookPath(tc.shell); err != nil {
			continue // not installed here
		}
		f := filepath.Join(t.TempDir(), "c."+tc.shell)
		os.WriteFile(f, []byte(script), 0o644)
		if out, err := exec.Command(tc.shell, "-n", f).CombinedOutput(); err != nil {
			t.Errorf("%s -n: %v\n%s", tc.shell, err, out)
		}
	}
	if code, _, stderr := invoke("completion", "tcsh"); code != 2 || !strings.Contains(stderr, `unknown shell "tcsh" (valid: bash, zsh, fish)`) {
		t.Errorf("completion tcsh: exit %d: %s", code, stderr)
	}
	if code, _, stderr := invoke("completion"); code != 2 || !strings.Contains(stderr, "missing a shell") {
		t.Errorf("completion: exit %d: %s", code, stderr)
	}
}
