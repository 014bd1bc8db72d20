package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/testbed"
)

const testbedAEADSynopsis = "testbed aead run --out DIR [--sizes LIST] [--reps N] [--cpu N]\n       cnisim testbed aead layer DIR --out LAYER.toml [--name N] [--cpu-ghz G]"

// The AEAD benchmark: what encryption costs on this CPU per call and per
// byte, and the calibration layer of encrypt entries made from it
// (testbed/aead.go says why in user space).
func init() { testbedSubs["aead"] = testbedAEAD }

func testbedAEAD(args []string, stdout, stderr io.Writer) error {
	return dispatch("testbed aead", testbedAEADSynopsis, args, stderr,
		subcommand{"run", func(a []string) error { return testbedAEADRun(a, stderr) }},
		subcommand{"layer", func(a []string) error { return testbedAEADLayer(a, stderr) }})
}

func testbedAEADRun(args []string, stderr io.Writer) error {
	fs := newFlags("testbed aead run", testbedAEADSynopsis, stderr)
	def := testbed.DefaultAEADOptions()
	out := fs.String("out", "", "output `DIR` (required): aead.json")
	sizes := fs.String("sizes", joinInts(def.Sizes), "comma-separated plaintext sizes in bytes (two or more, 1..65536)")
	reps := fs.Int("reps", def.Reps, "windows per case, the median kept (1..50)")
	cpu := fs.Int("cpu", def.CPU, "the CPU the thread is pinned to (default: the last one)")
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
	if o.Sizes, err = parseSizes(*sizes); err != nil {
		return usagef("--sizes %q: %v", *sizes, err)
	}
	if *reps < 1 || *reps > 50 {
		return usagef("--reps must be 1..50, got %d", *reps)
	}
	o.Reps, o.CPU, o.Log = *reps, *cpu, stderr
	o.Command = strings.TrimSpace("cnisim testbed aead run " + strings.Join(args, " "))
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	r, err := testbed.MeasureAEAD(ctx, o)
	if err != nil {
		return err
	}
	if err := r.Save(*out); err != nil {
		return err
	}
	fits, err := r.Fits()
	if err != nil {
		return err
	}
	for _, f := range fits {
		fmt.Fprintf(stderr, "%-18s %-4s %8.1f cycles + %6.3f cycles/byte (max residual %.1f%%)\n", f.Alg, f.Op, f.Cycles, f.CyclesPerByte, 100*f.MaxResidual)
	}
	fmt.Fprintf(stderr, "wrote %s (load average %s at the start, %s at the end)\n", filepath.Join(*out, testbed.AEADFile), r.Loadavg, r.LoadavgEnd)
	return nil
}

func testbedAEADLayer(args []string, stderr io.Writer) error {
	fs := newFlags("testbed aead layer", testbedAEADSynopsis, stderr)
	out := fs.String("out", "", "write the layer to `LAYER.toml` (required)")
	name := fs.String("name", "aead", "profile name")
	ghz := fs.Float64("cpu-ghz", 0, "the layer's cpu_ghz: the base profile's clock, so that layering keeps it (the costs are cycles at clock scaling and do not depend on it); default the run's")
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
	r, err := testbed.LoadAEAD(fs.Arg(0))
	if err != nil {
		return usagef("%v", err)
	}
	p, err := testbed.AEADLayer(r, *name, *ghz)
	if err != nil {
		return usagef("%s: %v", fs.Arg(0), err)
	}
	if err := p.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %d encrypt entries\n", *out, len(p.Costs))
	return nil
}

func parseSizes(s string) ([]int, error) {
	out, err := parseIntList(s, 1, 65536)
	if err != nil {
		return nil, fmt.Errorf("size %w", err)
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("two or more sizes are needed to separate per-call and per-byte cycles")
	}
	return out, nil
}

// joinInts writes integers comma-separated, as the list flags read them.
func joinInts[T int | int64](v []T) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.FormatInt(int64(n), 10)
	}
	return strings.Join(s, ",")
}
