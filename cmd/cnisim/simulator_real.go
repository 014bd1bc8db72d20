//go:build !cnisimfake

package main

import "github.com/cnisim/cnisim/experiments"

// fakeModel is nil in a normal build: `run` uses the simulator (link.go).
var fakeModel experiments.Model
