package tomlx

import (
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func nested(n int) string {
	return "a = " + strings.Repeat("{b = ", n) + "1" + strings.Repeat("}", n) + "\n"
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name, src, want string // want "" = accepted
	}{
		{"empty", "", ""},
		{"tables", "[a]\nb = [[1, 2], [3]]\n[[c]]\nd = {e = {f = 1}}\n", ""},
		{"at bound", "x = " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), ""},
		{"past bound", "x = " + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), "f.toml:1: TOML nested deeper than 32"},
		{"inline tables", "\n\n" + nested(5000), "f.toml:3: TOML nested deeper than 32"},
		{"brackets in strings", `a = "` + strings.Repeat("[{", 100) + `"` + "\nb = '" + strings.Repeat("[", 100) + "'\n", ""},
		{"brackets in multiline", "a = \"\"\"\n" + strings.Repeat("[", 100) + "\n\"\"\"\nb = '''" + strings.Repeat("{", 100) + "'''\n", ""},
		{"escaped quote", `a = "\"` + strings.Repeat("[", 100) + `"`, ""},
		{"brackets in comments", "# " + strings.Repeat("[", 100) + "\na = 1\n", ""},
		{"closing quotes of multiline", "a = \"\"\"x\"\"\"\"\"\nb = " + strings.Repeat("[", 40), "f.toml:2: TOML nested"},
		{"too big", strings.Repeat("#", MaxBytes+1), "f.toml: 4194305 bytes, more than the bound"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Check("f.toml", []byte(c.src))
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
				t.Errorf("got %v, want prefix %q", err, c.want)
			}
		})
	}
}

// The reproducer of issue 19: 40 KB of nested inline tables. Check
// refuses it at once; the same document at the depth bound decodes fast.
func TestNestedInlineTablesFast(t *testing.T) {
	src := nested(40_000 / 6)
	start := time.Now()
	if err := Check("f.toml", []byte(src)); err == nil {
		t.Fatal("accepted")
	}
	var m map[string]any
	if _, err := toml.Decode(nested(MaxDepth-1), &m); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}

func FuzzCheck(f *testing.F) {
	f.Add("a = {b = [1, {c = 2}]}\n")
	f.Add("s = \"\"\"[[\"\"\"\n")
	f.Fuzz(func(t *testing.T, s string) {
		_ = Check("f.toml", []byte(s)) // must not panic
	})
}
