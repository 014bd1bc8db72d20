package tomlx

// Check bounds a TOML document's size and nesting depth before it reaches
// the TOML library, whose cost grows faster than linearly with nesting
// (issue 19: 40 KB of nested inline tables took 3.7 GB). Parse and Decode
// call it first, so every input the project decodes is bounded: scenario
// files and --set values, calibration profiles and perf maps, CNI models,
// pod-launch parameters and `cnisim validate`.

import "fmt"

const (
	// MaxBytes bounds a TOML document (assumed: the largest committed
	// file, a calibration profile, is under 100 KB; 4 MiB is 40x that).
	MaxBytes = 4 << 20
	// MaxDepth bounds how deeply arrays and inline tables nest, table
	// headers included (assumed: the project's formats need at most 3:
	// [sweep] "k" = [[...]] at worst; 32 leaves room for any hand-written
	// file).
	MaxDepth = 32
)

// Check returns an error naming file (and the line, for nesting) when data
// is larger than MaxBytes or nests deeper than MaxDepth. It scans once,
// skipping strings and comments, and never fails on what it does not
// understand: syntax errors are the decoder's to report.
func Check(file string, data []byte) error {
	if len(data) > MaxBytes {
		return fmt.Errorf("%s: %d bytes, more than the bound of %d bytes (%d MiB) on a TOML file", file, len(data), MaxBytes, MaxBytes>>20)
	}
	depth, line := 0, 1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			i, line = skipString(data, i, line)
		case '[', '{':
			depth++
			if depth > MaxDepth {
				return fmt.Errorf("%s:%d: TOML nested deeper than %d levels of [ and {, the bound on nesting", file, line, MaxDepth)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}

// skipString returns the index of the last byte of the string opening at
// data[i] (a quote) and the line it ends on; an unterminated string runs
// to the end of the data (single-line strings to the end of the line).
func skipString(data []byte, i, line int) (int, int) {
	q := data[i]
	multi := i+2 < len(data) && data[i+1] == q && data[i+2] == q
	if multi {
		i += 3
		for ; i < len(data); i++ {
			switch {
			case data[i] == '\n':
				line++
			case q == '"' && data[i] == '\\':
				if i+1 < len(data) && data[i+1] == '\n' {
					line++
				}
				i++
			case data[i] == q && i+2 < len(data) && data[i+1] == q && data[i+2] == q:
				// up to two more quotes may belong to the string
				i += 2
				for i+1 < len(data) && data[i+1] == q {
					i++
				}
				return i, line
			}
		}
		return len(data) - 1, line
	}
	for i++; i < len(data); i++ {
		switch {
		case data[i] == '\n':
			return i - 1, line // unterminated: let the decoder say so
		case q == '"' && data[i] == '\\':
			i++
		case data[i] == q:
			return i, line
		}
	}
	return len(data) - 1, line
}
