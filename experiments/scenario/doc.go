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
//
// Two defaults are assumptions rather than measurements: cluster.cpu_jitter
// = 0.05 (every job's CPU time varies with a 5% coefficient of variation;
// 0 makes it exact) and cni.policy_conntrack = false (every packet toward
// the server pod walks cni.policy_rules, DESIGN's stateless rule set; true
// charges the rules only to connection-opening packets, as with Calico's
// and kube-proxy's conntrack ESTABLISHED accept). cni.policy_engine = "" takes the mode's default
// policy engine; the model layer refuses engines the mode does not offer.
package scenario
