package calibration

// Upper bounds of a profile's costs, checked by Validate and Override so
// that no cost that passes can overflow the simulator's picosecond clock
// (the arithmetic is in experiments/scenario/bounds.go, which uses these).
const (
	// MaxCycles bounds cycles, base_cycles and cycles_per_rule of one
	// entry (assumed: 1e10 cycles is 4 s of a 2.4 GHz core for one
	// packet, five orders of magnitude above the dearest real stage).
	MaxCycles = 1e10
	// MaxCyclesPerByte bounds cycles_per_byte (assumed: 1000 cycles per
	// byte is thousands of times any copy or checksum).
	MaxCyclesPerByte = 1000
	// MaxScale bounds a stage's cost multiplier (Scale; assumed: 100x
	// brackets any sensitivity question; the scaled costs must still
	// pass MaxCycles and MaxCyclesPerByte).
	MaxScale = 100
	// MaxNsPerRule bounds ns_per_rule (assumed: 1 s per rule; at the
	// largest MaxGHz that is 1e11 cycles, so costs are also checked where
	// the path is built).
	MaxNsPerRule = 1e9
	// MaxTableBytesPerRule bounds table_bytes_per_rule (assumed: 1 MiB,
	// far above the 100-500 bytes of an iptables or nftables rule).
	MaxTableBytesPerRule = 1 << 20
	// MaxCacheBytes bounds cache_bytes (assumed: 1 TiB, above any cache).
	MaxCacheBytes = 1 << 40
	// MaxGHz bounds a profile's cpu_ghz; MinGHz keeps cycles/GHz finite.
	MinGHz = 0.01
	MaxGHz = 100
)

// inRange reports min <= v <= max (false for NaN).
func inRange(v, min, max float64) bool { return v >= min && v <= max }
