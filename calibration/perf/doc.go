// Package perf turns `perf script` output into per-stage cycles per packet
// (CPP) with the paper's formula III.1:
//
//	CPP(stage) = total cycles / packets x share of cycles attributed to the stage
//
// and into a calibration profile whose costs make the simulator charge the
// measured cycles.
//
// Analyze reads any layout perf script prints (default, or -F with or
// without event, period, comm, pid, cpu; call stacks or the sampled ip
// only) and attributes each busy sample's stack to a stage kind by an
// ordered, editable table of symbol rules (defaultRules: a leaf walk, an
// owner pass for netfilter, tc/BPF and tunnel hooks, the softirq cut and
// the irq-enable skid). Idle samples are counted apart. Every busy cycle
// is either attributed or reported unattributed: nothing is dropped.
//
// Calibrate divides each stage's cycles by its crossings on the measured
// node (datapath.Crossings: data packets and pure ACKs, the simulator's
// own definition) or, for the copy and crypto stages, by the payload bytes;
// Predict is the simulator's arithmetic on the result, for round trips.
package perf
