//go:build cnisimfake

package main

import "github.com/cnisim/cnisim/experiments/experimentstest"

// With -tags cnisimfake, `run` uses the deterministic fake model instead of
// the simulator: for developing the cluster integration (deploy/) fast.
// The file name sorts after link.go, so this init runs last and wins.
func init() { simulate = experimentstest.Fake }
