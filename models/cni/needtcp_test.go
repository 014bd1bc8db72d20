package cni

import (
	"regexp"
	"strings"
	"testing"
)

// A model whose path lacks the tcp stage on either socket is refused
// (issue 19: one without it was accepted and ran at 347 Gbit/s
// intra-host).
func TestModelNeedsTCPStage(t *testing.T) {
	t.Parallel()
	data, err := builtinFS.ReadFile("models/flannel.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, side := range []string{"src", "dst"} {
		re := regexp.MustCompile(`(?m)^\s*\{ stage = "tcp",\s*side = "` + side + `".*\n`)
		if !re.Match(data) {
			t.Fatalf("no tcp %s step found in flannel.toml", side)
		}
		_, err := Parse("no-tcp.toml", re.ReplaceAll(data, nil))
		if err == nil || !strings.Contains(err.Error(), "no tcp step on "+side) {
			t.Errorf("without tcp on %s: got %v", side, err)
		}
	}
	if _, err := Parse("flannel.toml", data); err != nil {
		t.Errorf("flannel refused: %v", err)
	}
}
