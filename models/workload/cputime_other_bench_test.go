//go:build !linux

package workload

func threadCPU() (float64, bool) { return 0, false }

func processCPU() (float64, bool) { return 0, false }
