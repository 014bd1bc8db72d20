package tomlx

import "fmt"

// At returns the line of key in the index-th table of an array (index -1:
// the first occurrence in any), or of the table header if key is "" or
// missing there. It returns 0 when neither is found.
func (l Lines) At(table string, index int, key string) int {
	var path []string
	if table != "" {
		path = SplitPath(table)
		if index >= 0 {
			path = append(path, Occurrence(index))
		}
	}
	if key != "" {
		path = append(path, key)
	}
	return l.Line(path...)
}

// Where formats "file:line" for a key, or "file" when the line is unknown.
func (l Lines) Where(file, table string, index int, key string) string {
	return Where(file, l.At(table, index, key))
}

// WhereKey formats "file:line" for a key path (as toml.Key), or "file"
// when neither it nor an enclosing table is found.
func (l Lines) WhereKey(file string, path ...string) string {
	return Where(file, l.Line(path...))
}

// Where formats "file:line", or "file" when line is 0 (unknown).
func Where(file string, line int) string {
	if line > 0 {
		return fmt.Sprintf("%s:%d", file, line)
	}
	return file
}
