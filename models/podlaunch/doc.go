// Package podlaunch models the Kubernetes pod launch pipeline (paper
// section III.D, Fig. 7) as a discrete-event simulation on sim.Engine: API
// server admission, scheduling, kubelet sync, sandbox creation, the CNI ADD
// call with its sub-steps, container start and the status write-back. Each
// stage draws its duration from a distribution declared as data (embedded
// TOML with provenance per parameter); client QPS token buckets, API
// in-flight limits, the serial scheduling cycle, kubelet workers and
// per-node CNI locks are FIFO queues, so a burst of pods queues.
//
// The CNI call can be blocking or asynchronous (the vendor analysis): an
// asynchronous ADD returns after the minimal plumbing and the deferred work
// (policy programming, label fetch) finishes in the background, during
// which the pod runs but its packets are dropped. Each pod reports when its
// container started and when its network began to pass traffic.
package podlaunch
