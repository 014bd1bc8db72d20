package tomlx

import (
	"strings"
	"testing"
)

type sample struct {
	Name string  `toml:"name"`
	Cost []entry `toml:"cost"`
}

type entry struct {
	Stage  string  `toml:"stage"`
	Cycles float64 `toml:"cycles"`
}

var sampleSchema = Schema{"": {"name", "cost"}, "cost": {"stage", "cycles"}}

func TestDecode(t *testing.T) {
	cases := []struct {
		name, src, want string // want "" = accepted, else the error's prefix
	}{
		{"good", "name = \"x\"\n[[cost]]\nstage = \"veth\"\ncycles = 80\n", ""},
		{"empty", "", ""},
		{"unknown key", "name = \"x\"\n[[cost]]\nstage = \"veth\"\ncycle = 80\n", `f.toml:4: unknown key "cost.cycle" (allowed: stage, cycles)`},
		{"exact case", "Name = \"x\"\n", `f.toml:1: unknown key "Name" (allowed: name, cost)`},
		{"case in a table", "[[cost]]\n\n  Stage = \"veth\"\n", `f.toml:3: unknown key "cost.Stage"`},
		{"unknown table", "name = \"x\"\n[extra]\na = 1\n", "f.toml:2: unknown table [extra] (allowed: [cost])"},
		{"syntax", "name = \"x\"\n[[cost]\n", "f.toml:3: TOML syntax: "}, // the library counts the newline
		{"syntax after key", "name = \n", `f.toml:1: TOML syntax: expected value but found '\n' instead (after key "name")`},
		{"line 0 is line 1", "\"\r\n", "f.toml:1: TOML syntax: "},
		{"type", "name = 3\n", `f.toml: toml: line 1 (last key "name"): incompatible types`},
		{"nested", "name = " + strings.Repeat("[", MaxDepth+1), "f.toml:1: TOML nested deeper than 32"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v sample
			_, err := Decode("f.toml", []byte(c.src), &v, Options{Check: sampleSchema.Check})
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.HasPrefix(err.Error(), c.want)):
				t.Errorf("got %v, want prefix %q", err, c.want)
			}
		})
	}
}

// Without a Check, keys the target cannot hold are still refused.
func TestDecodeUndecoded(t *testing.T) {
	var v sample
	_, err := Decode("f.toml", []byte("name = \"x\"\nother = 1\n"), &v, Options{})
	if err == nil || err.Error() != `f.toml:2: unknown key "other"` {
		t.Errorf("got %v", err)
	}
}

// Options.Line overrides where a key is, when it knows.
func TestDecodeLine(t *testing.T) {
	var v sample
	opt := Options{Check: sampleSchema.Check, Line: func(Key) int { return 7 }}
	if _, err := Decode("f.toml", []byte("nam = 1\n"), &v, opt); err == nil || !strings.HasPrefix(err.Error(), "f.toml:7: ") {
		t.Errorf("got %v", err)
	}
}

func TestValue(t *testing.T) {
	for text, want := range map[string]any{"9000": int64(9000), "2.5": 2.5, "true": true, `"a b"`: "a b"} {
		if v, ok := Value(text); !ok || v != want {
			t.Errorf("Value(%q) = %v, %v", text, v, ok)
		}
	}
	for _, text := range []string{"host-gw", "2s", ""} {
		if v, ok := Value(text); ok {
			t.Errorf("Value(%q) = %v, want not a value", text, v)
		}
	}
}

// FuzzDecode: any text gets a result or an error naming the file, never a
// panic, and never line 0.
func FuzzDecode(f *testing.F) {
	f.Add("name = \"x\"\n[[cost]]\nstage = \"veth\"\ncycles = 80\n")
	f.Add("\"\r\n")
	f.Add("[a]\nb = {c = [1, {d = 2}]}\n")
	f.Fuzz(func(t *testing.T, s string) {
		var v sample
		_, err := Decode("f.toml", []byte(s), &v, Options{Check: sampleSchema.Check})
		if err == nil {
			return
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "f.toml") || strings.HasPrefix(msg, "f.toml:0:") {
			t.Errorf("error %q", msg)
		}
	})
}
