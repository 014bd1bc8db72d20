//go:build linux

package testbed

import (
	"context"
	"os"
	"testing"
)

func TestDbgRun(t *testing.T) {
	needRoot(t)
	cs, _ := ParseConfigs(os.Getenv("TBC"))
	o := DefaultOptions(os.Getenv("TBQ") != "")
	o.Configs, o.Out, o.Log = cs, os.Getenv("TBOUT"), os.Stderr
	r, err := Measure(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Save(o.Out); err != nil {
		t.Fatal(err)
	}
}
