package scenario

import "strings"

// lineIndex finds the line of a key in a TOML text for error messages. It
// is a light scanner, not a parser: it knows table headers, dotted and
// quoted keys, and multi-line strings. A key it cannot find falls back to
// its table's header, then to no line.
type lineIndex map[string]int // path joined by "\x1f" -> first line

const sep = "\x1f"

func indexLines(data []byte) lineIndex {
	idx := lineIndex{}
	var table []string
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
			table = splitPath(strings.Trim(s[:end], "[ \t"))
			idx.add(table, n)
			continue
		}
		k, v, ok := cutUnquoted(s, '=')
		if !ok {
			continue
		}
		idx.add(append(append([]string(nil), table...), splitPath(k)...), n)
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(v, q)%2 == 1 {
				inMulti = q
			}
		}
	}
	return idx
}

func (idx lineIndex) add(path []string, n int) {
	k := strings.Join(path, sep)
	if _, ok := idx[k]; !ok {
		idx[k] = n
	}
}

// line returns the line of the key path, or of its nearest enclosing table.
func (idx lineIndex) line(path ...string) int {
	for len(path) > 0 {
		if n, ok := idx[strings.Join(path, sep)]; ok {
			return n
		}
		path = path[:len(path)-1]
	}
	return 0
}

// lineOf locates a dotted scenario key; calibration.cycles.<stage> and
// sweep entries ("sweep", "cluster.mtu") are passed as paths by callers.
func (idx lineIndex) lineOf(key string) int {
	if stage, ok := strings.CutPrefix(key, cyclesTable+"."); ok {
		return idx.line("calibration", "cycles", stage)
	}
	return idx.line(strings.Split(key, ".")...)
}

// splitPath splits a TOML key on dots outside quotes and unquotes parts.
func splitPath(s string) []string {
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
