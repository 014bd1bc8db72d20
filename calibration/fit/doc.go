// Package fit solves per-stage costs (cycles per crossing) from end-to-end
// measurements of several configurations: each measured CPP is the sum of
// the stages' costs weighted by how often the configuration's path crosses
// them, a linear system solved by non-negative least squares
// (Lawson-Hanson) with standard errors and residuals. It refuses systems
// whose measurements do not separate every stage, and reads measurements
// from CSV.
package fit
