//go:build cnisimfake

package main

import (
	"github.com/cnisim/cnisim/experiments/experimentstest"
	"github.com/cnisim/cnisim/experiments/run"
)

// With -tags cnisimfake, `run` uses the deterministic fake model instead of
// the simulator (link.go): for developing the cluster integration
// (deploy/) fast.
var fakeModel run.Model = experimentstest.Fake
