// Package testbed builds CNI-like datapaths in network namespaces on the
// local kernel (routed pod, bridge, tc eBPF redirect, VXLAN, non-matching
// policy rules), drives TCP traffic through them from threads locked into
// the namespaces and pinned to one CPU, records that CPU with perf and
// reads the device counters, so that a calibration profile can be made for
// this kernel and CPU and its error shown leave-one-out (loo.go).
//
// Everything it creates in the kernel is a named network namespace with
// the prefix Prefix; devices exist only inside those namespaces (veth
// peers are created in a namespace of ours and moved to another of ours),
// so the host's own interfaces are never touched. Cleanup removes every
// namespace with the prefix: it runs before a run (leftovers of a killed
// one), after each configuration, and on error and signal.
//
// The pure parts (rule text, naming, the measurement JSON, the
// leave-one-out arithmetic) build and are tested everywhere; the kernel
// parts need Linux and root (ErrNotRoot, ErrMissing say what is absent).
package testbed
