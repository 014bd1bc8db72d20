// Package perf turns `perf script` output into per-stage cycles per packet
// (CPP) with the paper's formula III.1:
//
//	CPP(stage) = total cycles / packets x share of cycles attributed to the stage
//
// Each sample's call stack is attributed to a stage kind by an ordered,
// editable table of symbol rules; idle samples are counted apart. The
// result converts to a calibration.Profile whose entries are derived.
package perf
