//go:build !cnisimfake

package main

import "github.com/cnisim/cnisim/experiments/run"

// fakeModel is nil in a normal build: `run` uses the simulator (link.go).
var fakeModel run.Model
