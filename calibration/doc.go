// Package calibration holds per-stage cost profiles: the cycles each stage
// kind of a CNI datapath costs per crossing, at a stated CPU frequency, each
// number with its provenance (quoted, derived or assumed). Profiles are read
// from and written to TOML; the built-in ones are embedded. A *Profile is a
// datapath.CostSource.
//
// Sub-packages: perf turns `perf script` output into a profile with the
// paper's formula III.1; fit solves per-stage costs from end-to-end
// measurements by non-negative least squares.
package calibration
