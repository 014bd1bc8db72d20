// Package scenario reads, checks, overrides and expands what-if scenario
// files (DESIGN section 3): a TOML document of cluster, CNI, TCP,
// calibration and workload settings plus an optional [sweep] whose
// cartesian product yields the points of a run.
//
// Decoding is strict: unknown or misspelt keys, wrong types, out-of-range
// values and durations that are not Go duration strings are errors naming
// the file, the line, the key, the value and what is allowed. `--set`
// overrides and sweep values go through the same typed assignment as the
// file, so all three accept exactly the same values. Resolved writes the
// effective scenario back with every key, so a run can be repeated exactly.
package scenario
