// Package cni holds the CNI plugins as data: every built-in plugin (Flannel,
// Weave, Cilium, Calico, Kube-router and the no-CNI "host" baseline) is a
// TOML model file embedded from models/, and a user's own model file (an
// Antrea or OVN-Kubernetes, say) loads the same way.
//
// A model declares, per mode, the paper's Table I attributes (network model,
// tunnel, policy support) and the component graphs of paper Fig. 1: the
// ordered stages a packet crosses from the sending pod's socket to the
// receiving pod's socket, intra-host and inter-host, with the node and the
// execution context that runs each. Model.Path costs a graph with a
// calibration profile for the network model to execute; the structure the
// paper describes (host-stack traversals, veth pairs, eBPF hooks, FIB
// lookups) is a property of the data, checked by this package's tests.
package cni
