package cni

import (
	"fmt"
	"regexp"
	"strings"
)

// locator finds the line of a key or value in a model file for error
// messages: BurntSushi/toml reports positions for syntax errors only.
type locator struct {
	file  string
	lines []string
}

func newLocator(file string, data []byte) *locator {
	return &locator{file: file, lines: strings.Split(string(data), "\n")}
}

// errf formats an error as "file:line: msg" (line 0: no line known).
func (l *locator) errf(line int, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if line > 0 {
		return fmt.Errorf("%s:%d: %s", l.file, line, msg)
	}
	return fmt.Errorf("%s: %s", l.file, msg)
}

// find returns the first line at or after from (1-based) matching re, or 0.
func (l *locator) find(from int, re *regexp.Regexp) int {
	for i := max(from, 1) - 1; i < len(l.lines); i++ {
		if re.MatchString(stripComment(l.lines[i])) {
			return i + 1
		}
	}
	return 0
}

func stripComment(s string) string {
	// Good enough for model files: '#' inside strings is rare and only
	// costs a line number.
	if i := strings.IndexByte(s, '#'); i >= 0 {
		return s[:i]
	}
	return s
}

func (l *locator) keyLine(key string) int {
	return l.find(1, regexp.MustCompile(`(^|[{,\s])`+regexp.QuoteMeta(key)+`\s*=`))
}

// modeLine is the line of the i-th [[mode]] header.
func (l *locator) modeLine(i int) int {
	re := regexp.MustCompile(`^\s*\[\[\s*mode\s*\]\]`)
	line := 0
	for n := 0; n <= i; n++ {
		if line = l.find(line+1, re); line == 0 {
			return 0
		}
	}
	return line
}

// keyIn is the line of key inside mode i (mode -1: the top level).
func (l *locator) keyIn(mode int, key string) int {
	from := 1
	if mode >= 0 {
		from = l.modeLine(mode)
	}
	re := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(key) + `\s*=`)
	if line := l.find(from, re); line > 0 {
		return line
	}
	return from
}

// stepLine is the line of the j-th inline table of list (intra or inter) in
// mode i (mode -1: the top-level intra list).
func (l *locator) stepLine(mode int, list string, j int) int {
	start := l.keyIn(mode, list)
	if start == 0 {
		return 0
	}
	n := 0
	for i := start - 1; i < len(l.lines); i++ {
		n += strings.Count(stripComment(l.lines[i]), "{")
		if n > j {
			return i + 1
		}
	}
	return start
}
