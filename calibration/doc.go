// Package calibration holds per-stage cost profiles: the cycles each stage
// kind of a CNI datapath costs per crossing, at a stated CPU frequency, each
// number with its provenance (quoted, derived or assumed). Profiles are read
// from and written to TOML; the built-in ones are embedded. A *Profile is a
// datapath.CostSource at its own clock; Profile.AtClock prices it for a
// cluster at another clock, where per_byte_scaling says whether per-byte
// costs are cycles ("clock") or a time per byte ("fixed"): see Scaling.
//
// Sub-packages: perf turns `perf script` output into a profile with the
// paper's formula III.1; fit solves per-stage costs from end-to-end
// measurements by non-negative least squares.
package calibration
