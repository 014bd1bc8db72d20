// Package experiments holds the rooms that turn a scenario file into
// results, in the order data flows through them:
//
//   - scenario: decode, defaults, validate once, sweep expansion;
//   - simulate: Prepare per sweep point (model, profile, paths), a run per
//     replication;
//   - run: the parallel deterministic runner, one memory bound for `run`
//     and `experiment` alike (shard beside it splits a sweep over jobs);
//   - results: per-replication samples summarised, JSON/CSV/table;
//   - report: REPORT.md;
//
// with catalog as data over them (the named experiments, one ordered
// list) and solve (capacity questions) as a client of run.
package experiments
