// Package clockprobe measures the clock a CPU gives a thread: the
// frequency that turns a cpu-clock sample's nanoseconds into cycles. On a
// VM /proc/cpuinfo's "cpu MHz" is a nominal figure (2000 on the Intel Xeon
// VM of the rule series, whose vCPU the probe saw run at 1.95-2.50 GHz),
// and perf's cpu-clock event counts time, not cycles, so a calibration
// needs the clock the path actually ran at.
//
// The probe is a chain of dependent 64-bit multiply-adds: each step needs
// the previous one's result, so it takes the latency of IMUL (3 cycles)
// plus ADD (1) on every x86-64 core since Sandy Bridge and Zen (uops.info;
// Agner Fog's instruction tables), whatever the frequency and however busy
// a sibling hyperthread's ports are. Steps x CyclesPerStep over the
// thread's run time is the clock. It touches no memory, so running it
// beside a measured datapath (under SCHED_IDLE, taking only idle time)
// leaves the datapath's caches alone.
//
// The clock is not the whole of a VM's speed: other tenants' load on the
// shared caches and memory slows kernel work at an unchanged clock.
// Reference is a reference kernel workload (AF_UNIX datagram round trips)
// whose ns per round trip, measured beside a capture (Options.Reference,
// capture.sh's idler), tracks how fast the machine ran the captured path.
package clockprobe
