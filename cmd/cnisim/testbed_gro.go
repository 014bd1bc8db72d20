package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cnisim/cnisim/testbed"
)

const testbedGROSynopsis = "testbed gro run --out DIR [--dur 10s] [--tunnels none,vxlan] [--reps 5]\n       cnisim testbed gro layer DIR --out LAYER.toml [--name N] [--cpu-ghz G]"

// The GRO benchmark: what a frame GRO merges costs this machine's kernel,
// and the calibration layer of [[gro_frame]] entries made from it
// (testbed/gro.go says how; calibration/gro/gro-frame.sh is the script it
// ports).
func init() { testbedSubs["gro"] = testbedGRO }

func testbedGRO(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("testbed gro: missing subcommand (run or layer)")
	}
	switch args[0] {
	case "run":
		return testbedGRORun(args[1:], stderr)
	case "layer":
		return testbedGROLayer(args[1:], stderr)
	case "-h", "--help", "help":
		fmt.Fprintf(stderr, "Usage: cnisim %s\n", testbedGROSynopsis)
		return nil
	}
	return usagef("testbed gro: unknown subcommand %q (valid: run, layer)", args[0])
}

func testbedGRORun(args []string, stderr io.Writer) error {
	fs := newFlags("testbed gro run", testbedGROSynopsis, stderr)
	def := testbed.DefaultGROOptions()
	out := fs.String("out", "", "output `DIR` (required): gro.json")
	dur := fs.Duration("dur", def.Dur, "the recorded window per tunnel and rep (0.5s..5m)")
	tunnels := fs.String("tunnels", strings.Join(def.Tunnels, ","), "comma-separated tunnels, none among them: "+strings.Join(testbed.GROTunnels, ", ")+" (gre and ipip need kernel modules)")
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
	if o.Tunnels, err = testbed.ParseGROTunnels(*tunnels); err != nil {
		return usagef("--tunnels %q: %v", *tunnels, err)
	}
	if *dur < 500*time.Millisecond || *dur > 5*time.Minute {
		return usagef("--dur must be 0.5s..5m, got %v", *dur)
	}
	if *reps < 1 || *reps > 50 {
		return usagef("--reps must be 1..50, got %d", *reps)
	}
	o.Dur, o.Reps, o.Log = *dur, *reps, stderr
	o.Command = strings.TrimSpace("cnisim testbed gro run " + strings.Join(args, " "))
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	r, err := testbed.MeasureGRO(ctx, o)
	if err != nil {
		var sg *signalled
		if errors.As(context.Cause(ctx), &sg) {
			return sg // whatever step it stopped: exit 128 + the signal
		}
		return err
	}
	if err := r.Save(*out); err != nil {
		return err
	}
	p, err := testbed.GROLayer(r, "gro", 0)
	if err != nil {
		return err
	}
	for _, g := range p.GROFrames {
		fmt.Fprintln(stderr, g)
	}
	fmt.Fprintf(stderr, "wrote %s (load average %s at the start, %s at the end)\n", filepath.Join(*out, testbed.GROFile), r.Loadavg, r.LoadavgEnd)
	return nil
}

func testbedGROLayer(args []string, stderr io.Writer) error {
	fs := newFlags("testbed gro layer", testbedGROSynopsis, stderr)
	out := fs.String("out", "", "write the layer to `LAYER.toml` (required)")
	name := fs.String("name", "gro", "profile name")
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
	r, err := testbed.LoadGRO(fs.Arg(0))
	if err != nil {
		return usagef("%v", err)
	}
	p, err := testbed.GROLayer(r, *name, *ghz)
	if err != nil {
		return usagef("%s: %v", fs.Arg(0), err)
	}
	if err := p.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %d gro_frame entries\n", *out, len(p.GROFrames))
	return nil
}
