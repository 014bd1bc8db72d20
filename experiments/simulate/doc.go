// Package simulate connects a scenario to the models: it resolves the CNI
// model and the calibration profile, builds the costed datapath of each
// direction, runs one replication of the workload (or of the pod launch
// pipeline for pod_launch) and turns its measurements into the metrics of
// the results contract (DESIGN 3).
package simulate
