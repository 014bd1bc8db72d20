//go:build !linux

package procstat

import "time"

// CPUTime is 0 where getrusage is not used.
func CPUTime() time.Duration { return 0 }

// MaxRSSMB is 0 where getrusage is not used.
func MaxRSSMB() float64 { return 0 }
