package sim

import (
	"math"
	"time"
)

// Time is simulated time as an integer count of picoseconds. At 100 Gbit/s a
// 64-byte frame lasts 5.12 ns and a 45-cycle stage at 2.4 GHz 18.75 ns, so
// nanoseconds would be too coarse. An int64 spans about 106 days.
type Time int64

// Units of simulated time.
const (
	Picosecond  Time = 1
	Nanosecond       = 1000 * Picosecond
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	// Never is a time later than any event.
	Never Time = math.MaxInt64
)

// FromDuration converts a wall-clock style duration to simulated time.
// It saturates at ±Never instead of wrapping (a duration over 106 days
// does not fit in picoseconds); scenario validation bounds durations well
// below that, so saturation only guards other callers.
func FromDuration(d time.Duration) Time {
	const lim = time.Duration(Never / Nanosecond)
	switch {
	case d > lim:
		return Never
	case d < -lim:
		return -Never
	}
	return Time(d) * Nanosecond
}

// fromFloat rounds picoseconds to Time, saturating at ±Never (a float
// conversion out of int64 range is implementation-defined in Go: on amd64
// it yields math.MinInt64, a time in the past). NaN maps to Never.
func fromFloat(ps float64) Time {
	switch {
	case ps >= float64(Never):
		return Never
	case ps <= -float64(Never):
		return -Never
	case ps != ps:
		return Never
	}
	return Time(math.Round(ps))
}

// Duration converts t to a time.Duration, truncating below a nanosecond.
func (t Time) Duration() time.Duration { return time.Duration(t / Nanosecond) }

// Seconds returns t in seconds.
func (t Time) Seconds() float64 { return float64(t) / float64(Second) }

// FromSeconds converts seconds to simulated time, rounding to the nearest picosecond.
// It saturates at ±Never.
func FromSeconds(s float64) Time { return fromFloat(s * float64(Second)) }

// Cycles returns the time that c CPU cycles take at ghz GHz, rounded to the
// nearest picosecond.
// It saturates at Never (zero or tiny ghz, huge c).
func Cycles(c, ghz float64) Time { return fromFloat(c / ghz * 1000) }

// ToCycles returns how many cycles at ghz GHz fit in t.
func (t Time) ToCycles(ghz float64) float64 { return float64(t) * ghz / 1000 }

// String formats t as a Go duration with picosecond remainder when needed.
func (t Time) String() string {
	if t%Nanosecond == 0 {
		return t.Duration().String()
	}
	if t > -Nanosecond && t < Nanosecond {
		return itoa(int64(t)) + "ps"
	}
	return time.Duration(t/Nanosecond).String() + "+" + itoa(int64(t%Nanosecond)) + "ps"
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := v < 0
	if neg {
		v = -v
	}
	for v > 0 {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
