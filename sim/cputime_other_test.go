//go:build !linux

package sim

func threadCPU() (float64, bool) { return 0, false }
