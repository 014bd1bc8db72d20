package main

import (
	"reflect"
	"testing"

	"github.com/cnisim/cnisim/experiments/experimentstest"
	sim "github.com/cnisim/cnisim/experiments/simulate"
)

// The choice of simulator is one function of the build's fakeModel.
func TestChooseModel(t *testing.T) {
	ptr := func(v any) uintptr { return reflect.ValueOf(v).Pointer() }
	if got := chooseModel(nil); ptr(got) != ptr(sim.Model) {
		t.Error("a build without a fake does not run the simulator")
	}
	if got := chooseModel(experimentstest.Fake); ptr(got) != ptr(experimentstest.Fake) {
		t.Error("a build with a fake does not run it")
	}
	if fakeModel != nil {
		t.Log("built with -tags cnisimfake")
	}
}
