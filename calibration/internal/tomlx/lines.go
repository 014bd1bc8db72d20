package tomlx

import (
	"fmt"
	"strings"
)

// Lines locates keys in a TOML text for error messages. It is a light
// scanner, not a parser: it understands table headers, key = value lines
// and multi-line strings, which is all our files use. When it cannot find a
// key the error simply carries no line.
type Lines struct {
	keys []keyPos
}

type keyPos struct {
	table string // "" root, "cost" for [[cost]] and [cost]
	index int    // occurrence of an array table, 0 for plain tables
	key   string // "" for the header line itself
	line  int
}

// Index scans data.
func Index(data []byte) *Lines {
	l := &Lines{}
	table, index := "", 0
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
		switch {
		case s == "" || s[0] == '#':
			continue
		case strings.HasPrefix(s, "[["):
			table = header(s[2:], "]]")
			index = count[table]
			count[table]++
			l.keys = append(l.keys, keyPos{table, index, "", n})
			continue
		case s[0] == '[':
			table, index = header(s[1:], "]"), 0
			l.keys = append(l.keys, keyPos{table, index, "", n})
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			continue
		}
		l.keys = append(l.keys, keyPos{table, index, unquote(strings.TrimSpace(k)), n})
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(v, q)%2 == 1 {
				inMulti = q
			}
		}
	}
	return l
}

// header returns the dotted name of a table header whose opening bracket(s)
// are already cut off.
func header(s, closing string) string {
	name, _, _ := strings.Cut(s, closing)
	parts := strings.Split(name, ".")
	for i, p := range parts {
		parts[i] = unquote(strings.TrimSpace(p))
	}
	return strings.Join(parts, ".")
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}

// Line returns the line of key in the index-th table of an array (index -1:
// the first occurrence in any), or of the table header if key is "". It
// returns 0 when the key is not found.
func (l *Lines) Line(table string, index int, key string) int {
	if l == nil {
		return 0
	}
	header := 0
	for _, p := range l.keys {
		if p.table != table || (index >= 0 && p.index != index) {
			continue
		}
		if p.key == key {
			return p.line
		}
		if p.key == "" && header == 0 {
			header = p.line
		}
	}
	if key != "" {
		return header // the key is missing: point at its table
	}
	return 0
}

// Where formats "file:line" for a key, or "file" when the line is unknown.
func (l *Lines) Where(file, table string, index int, key string) string {
	if n := l.Line(table, index, key); n > 0 {
		return fmt.Sprintf("%s:%d", file, n)
	}
	return file
}
