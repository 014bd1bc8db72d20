//go:build !linux

package workload

func threadCPU() (float64, bool) { return 0, false }
