// Package run runs scenarios: it runs every sweep point's replications on
// a pool of workers through a Model (the simulator, plugged in by the
// caller: experiments/simulate), preparing each point once, and summarises
// each metric across replications into results tables as units complete.
//
// The unit of work is one (point, replication) pair. Units are independent
// and seeded by UnitSeed, a fixed function of the scenario seed and the
// replication (common random numbers across points), so any subset of
// units (a shard) can run anywhere and Aggregate rebuilds the same results
// from the raw samples, whatever the order they arrive in and whatever the
// degree of parallelism.
package run
