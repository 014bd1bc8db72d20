// Package shard splits a scenario's work units (sweep point x replication)
// into N shards that agree without talking to each other, stores the raw
// outcome of one shard as a self-checking partial-result file, and checks
// a set of partial files before they are merged into the single run's
// results.
//
// The assignment is round-robin over the units in run.Units order
// (point-major): unit i belongs to shard i mod N. It depends only on the
// scenario (its point count and replications), never on the machine, so
// each array task of a Slurm job or a Kubernetes Indexed Job can compute
// its own share; round-robin also spreads a costly corner of the sweep
// (large points are neighbours in the cartesian product) over all shards.
// Shards are numbered from 0, like Slurm's --array=0-(N-1) and the
// JOB_COMPLETION_INDEX of a Kubernetes Indexed Job.
package shard
