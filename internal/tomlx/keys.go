package tomlx

// The line on which a TOML file defines a key, for error messages:
// BurntSushi/toml reports positions for syntax errors only. This is a
// light scanner, not a parser: it knows table headers, dotted and quoted
// keys and multi-line strings, which is all the project's files use. A key
// it cannot find falls back to the header of its nearest enclosing table,
// then to no line (0).

import (
	"strconv"
	"strings"
)

// Lines maps key paths to the first line that defines them. The zero
// value (nil) knows no lines.
type Lines map[string]int // path joined by sep -> line

const sep = "\x1f"

// Occurrence is the path element that picks the k-th (from 0) table of an
// array of tables ([[cost]]), or of a plain table (k = 0): a key of the
// third [[cost]] is at path cost, Occurrence(2), key. Without it, a path
// names the first occurrence.
func Occurrence(k int) string { return "#" + strconv.Itoa(k) }

// Index scans data.
func Index(data []byte) Lines {
	idx := Lines{}
	var table, occ []string // the current table's path, and with its occurrence
	count := map[string]int{}
	inMulti := ""
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		s := strings.TrimSpace(raw)
		if inMulti != "" {
			if strings.Count(s, inMulti)%2 == 1 {
				inMulti = ""
			}
			continue
		}
		if s == "" || s[0] == '#' {
			continue
		}
		if s[0] == '[' {
			end := strings.IndexByte(s, ']')
			if end < 0 {
				continue
			}
			table = SplitPath(strings.Trim(s[:end], "[ \t"))
			key := strings.Join(table, sep)
			occ = append(append([]string(nil), table...), Occurrence(count[key]))
			count[key]++
			idx.add(table, n)
			idx.add(occ, n)
			continue
		}
		k, v, ok := cutUnquoted(s, '=')
		if !ok {
			continue
		}
		kp := SplitPath(k)
		idx.add(append(append([]string(nil), table...), kp...), n)
		if occ != nil {
			idx.add(append(append([]string(nil), occ...), kp...), n)
		}
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(v, q)%2 == 1 {
				inMulti = q
			}
		}
	}
	return idx
}

func (idx Lines) add(path []string, n int) {
	k := strings.Join(path, sep)
	if _, ok := idx[k]; !ok {
		idx[k] = n
	}
}

// Line returns the line of the key path, or of its nearest enclosing
// table; 0 when neither is in the file.
func (idx Lines) Line(path ...string) int {
	for len(path) > 0 {
		if n, ok := idx[strings.Join(path, sep)]; ok {
			return n
		}
		path = path[:len(path)-1]
	}
	return 0
}

// SplitPath splits a TOML key on the dots outside quotes and unquotes the
// parts: `a . "b.c"` is [a b.c].
func SplitPath(s string) []string {
	var parts []string
	for {
		before, after, found := cutUnquoted(s, '.')
		parts = append(parts, unquote(strings.TrimSpace(before)))
		if !found {
			return parts
		}
		s = after
	}
}

// cutUnquoted cuts s at the first c outside a quoted string.
func cutUnquoted(s string, c byte) (string, string, bool) {
	var q byte
	for i := 0; i < len(s); i++ {
		switch {
		case q != 0 && s[i] == '\\' && q == '"':
			i++
		case q != 0 && s[i] == q:
			q = 0
		case q == 0 && (s[i] == '"' || s[i] == '\''):
			q = s[i]
		case q == 0 && s[i] == c:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
