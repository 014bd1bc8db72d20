package tomlx

import (
	"fmt"

	"github.com/cnisim/cnisim/internal/tomlkeys"
)

// Lines locates keys in a TOML text for error messages
// (internal/tomlkeys). When it cannot find a key the error simply carries
// no line.
type Lines struct {
	idx tomlkeys.Lines
}

// Index scans data.
func Index(data []byte) *Lines { return &Lines{tomlkeys.Index(data)} }

// Line returns the line of key in the index-th table of an array (index -1:
// the first occurrence in any), or of the table header if key is "" or
// missing there. It returns 0 when neither is found.
func (l *Lines) Line(table string, index int, key string) int {
	if l == nil {
		return 0
	}
	var path []string
	if table != "" {
		path = tomlkeys.SplitPath(table)
		if index >= 0 {
			path = append(path, tomlkeys.Occurrence(index))
		}
	}
	if key != "" {
		path = append(path, key)
	}
	return l.idx.Line(path...)
}

// Where formats "file:line" for a key, or "file" when the line is unknown.
func (l *Lines) Where(file, table string, index int, key string) string {
	if n := l.Line(table, index, key); n > 0 {
		return fmt.Sprintf("%s:%d", file, n)
	}
	return file
}
