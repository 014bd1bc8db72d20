package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cnisim/cnisim/testbed"
)

// The per-frame offload benchmarks: what a frame GRO merges (testbed gro)
// or a segment software GSO cuts (testbed gso) costs this machine's
// kernel, and the calibration layer of [[gro_frame]] or [[gso_segment]]
// entries made from it (testbed/frames.go says how;
// calibration/gro/gro-frame.sh and calibration/gso/gso-segment.sh are the
// scripts they port).
func init() {
	for _, b := range []*testbed.FrameBench{testbed.GROBench, testbed.GSOBench} {
		testbedSubs[b.Name] = func(args []string, stdout, stderr io.Writer) error { return testbedFrames(b, args, stderr) }
	}
}

// frameSynopsis is testbed NAME's usage.
func frameSynopsis(b *testbed.FrameBench) string {
	return fmt.Sprintf("testbed %s run --out DIR [--dur 10s] [--tunnels none,vxlan] [--reps 5]\n       cnisim testbed %s layer DIR --out LAYER.toml [--name N] [--cpu-ghz G]", b.Name, b.Name)
}

func testbedFrames(b *testbed.FrameBench, args []string, stderr io.Writer) error {
	return dispatch("testbed "+b.Name, frameSynopsis(b), args, stderr,
		subcommand{"run", func(a []string) error { return testbedFramesRun(b, a, stderr) }},
		subcommand{"layer", func(a []string) error { return testbedFramesLayer(b, a, stderr) }})
}

func testbedFramesRun(b *testbed.FrameBench, args []string, stderr io.Writer) error {
	fs := newFlags("testbed "+b.Name+" run", frameSynopsis(b), stderr)
	def := testbed.DefaultFrameOptions()
	out := fs.String("out", "", "output `DIR` (required): "+b.File)
	dur := fs.Duration("dur", def.Dur, "the recorded window per tunnel and rep (0.5s..5m)")
	tunnels := fs.String("tunnels", strings.Join(def.Tunnels, ","), "comma-separated tunnels, none among them: "+strings.Join(testbed.FrameTunnels, ", ")+" (gre and ipip need kernel modules)")
	reps := fs.Int("reps", def.Reps, "paired rounds of every tunnel, the median kept (1..50)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 0, 0, "no arguments"); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out DIR is required")
	}
	o := def
	var err error
	if o.Tunnels, err = testbed.ParseFrameTunnels(*tunnels); err != nil {
		return usagef("--tunnels %q: %v", *tunnels, err)
	}
	if *dur < 500*time.Millisecond || *dur > 5*time.Minute {
		return usagef("--dur must be 0.5s..5m, got %v", *dur)
	}
	if *reps < 1 || *reps > 50 {
		return usagef("--reps must be 1..50, got %d", *reps)
	}
	o.Dur, o.Reps, o.Log = *dur, *reps, stderr
	o.Command = strings.TrimSpace("cnisim testbed " + b.Name + " run " + strings.Join(args, " "))
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	r, err := testbed.MeasureFrames(ctx, b, o)
	if err != nil {
		return signalledErr(ctx, err)
	}
	if err := r.Save(*out); err != nil {
		return err
	}
	p, err := testbed.FrameLayer(r, b.Name, 0)
	if err != nil {
		return err
	}
	for _, g := range b.Entries(p) {
		if g.Device == "" {
			fmt.Fprintf(stderr, "every %s: %g cycles (%s)\n", b.Unit, g.Cycles, g.Provenance)
		} else {
			fmt.Fprintln(stderr, g)
		}
	}
	fmt.Fprintf(stderr, "wrote %s (load average %s at the start, %s at the end)\n", filepath.Join(*out, b.File), r.Loadavg, r.LoadavgEnd)
	return nil
}

func testbedFramesLayer(b *testbed.FrameBench, args []string, stderr io.Writer) error {
	fs := newFlags("testbed "+b.Name+" layer", frameSynopsis(b), stderr)
	out := fs.String("out", "", "write the layer to `LAYER.toml` (required)")
	name := fs.String("name", b.Name, "profile name")
	ghz := fs.Float64("cpu-ghz", 2.4, "the layer's cpu_ghz: the base profile's clock (the paper's 2.4), so that layering keeps it; 0: the run's")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 1, 1, "the run DIR"); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out LAYER.toml is required")
	}
	if !(*ghz >= 0) || *ghz > 100 {
		return usagef("--cpu-ghz must be 0 (the run's) or a clock in GHz up to 100, got %v", *ghz)
	}
	r, err := testbed.LoadFrames(fs.Arg(0), b)
	if err != nil {
		return usagef("%v", err)
	}
	p, err := testbed.FrameLayer(r, *name, *ghz)
	if err != nil {
		return usagef("%s: %v", fs.Arg(0), err)
	}
	if err := p.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %d %s entries\n", *out, len(b.Entries(p)), b.Table)
	return nil
}
