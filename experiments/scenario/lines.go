package scenario

import (
	"strings"

	"github.com/cnisim/cnisim/internal/tomlx"
)

// lineIndex finds the line of a key in a scenario file for error
// messages (internal/tomlx).
type lineIndex struct{ tomlx.Lines }

func indexLines(data []byte) lineIndex { return lineIndex{tomlx.Index(data)} }

// line returns the line of the key path, or of its nearest enclosing table.
func (idx lineIndex) line(path ...string) int { return idx.Line(path...) }

// lineOf locates a dotted scenario key; a stage table's <table>.<stage> and
// sweep entries ("sweep", "cluster.mtu") are passed as paths by callers.
func (idx lineIndex) lineOf(key string) int {
	if table, stage, ok := stageKey(key); ok {
		return idx.line(append(strings.Split(table, "."), stage)...)
	}
	return idx.line(strings.Split(key, ".")...)
}
