//go:build !linux

package tcp

func threadCPU() (float64, bool) { return 0, false }
