// Package procstat is what the benchmark commands (bench/harness,
// bench/fattree) measure of their own process: CPU time, peak memory, and
// a CPU profile on request.
package procstat
