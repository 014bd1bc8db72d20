//go:build !linux

package network_test

func threadCPU() (float64, bool) { return 0, false }
