package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/plots"
	"github.com/cnisim/cnisim/testbed"
	"github.com/spf13/pflag"
)

const (
	testbedRunSynopsis       = "testbed run [--configs LIST] [--quick] [--cpu N] --out DIR"
	testbedCalibrateSynopsis = "testbed calibrate DIR [DIR...] --out PROFILE.toml"
	testbedValidateSynopsis  = "testbed validate DIR [DIR...] --profile P [--out DIR]"
	testbedCompareSynopsis   = "testbed compare DIR_A DIR_B [--tolerance PCT] [--out DIR]"
)

func init() {
	register(&command{name: "testbed", summary: "build the datapaths in netns on this kernel, measure, calibrate, validate (root)", run: runTestbed})
}

var testbedSubs = map[string]func([]string, io.Writer, io.Writer) error{
	"run": testbedRun, "calibrate": testbedCalibrate, "validate": testbedValidate, "compare": testbedCompare,
}

func runTestbed(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("missing subcommand (run, calibrate, validate, compare, aead, gro, gso, incast or timers)")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintf(stderr, "Usage: cnisim %s\n       cnisim %s\n       cnisim %s\n       cnisim %s\n       cnisim %s\n       cnisim %s\n       cnisim %s\n       cnisim %s\n       cnisim %s\n", testbedRunSynopsis, testbedCalibrateSynopsis, testbedValidateSynopsis, testbedCompareSynopsis, testbedAEADSynopsis, frameSynopsis(testbed.GROBench), frameSynopsis(testbed.GSOBench), testbedIncastSynopsis, testbedTimersSynopsis)
		return pflag.ErrHelp
	}
	sub, ok := testbedSubs[args[0]]
	if !ok {
		return usagef("unknown subcommand %q (valid: run, calibrate, validate, compare, aead, gro, gso, incast, timers)", args[0])
	}
	return sub(args[1:], stdout, stderr)
}

func testbedRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("testbed run", testbedRunSynopsis, stderr)
	def, q := testbed.DefaultOptions(false), testbed.DefaultOptions(true)
	configs := fs.String("configs", "", "comma-separated configurations: "+testbed.ConfigNames()+" (default: all; with --quick: "+strings.Join(testbed.QuickConfigs, ",")+")")
	quick := fs.Bool("quick", false, fmt.Sprintf("%g s windows, %d tries, the quick configurations: under a minute", q.Window.Seconds(), q.Tries))
	cpu := fs.Int("cpu", def.CPU, "the CPU the traffic runs on and perf records (default: the last one)")
	out := fs.String("out", "", "output `DIR` (required): measurements.json and NAME.script.gz")
	reps := fs.Int("reps", 0, fmt.Sprintf("stream windows per configuration, the median kept (default %d; %d with --quick)", def.Reps, q.Reps))
	mbps := fs.Float64("mbps", def.PacingMbps, "stream payload pacing in Mbit/s (keeps one core out of the ksoftirqd regime); 0: unpaced")
	udp := fs.Bool("udp", def.UDP, "also a UDP stream window (one pod-MTU datagram per send, paced at --mbps) and a UDP_RR run per configuration")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 0, 0, "no arguments"); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out DIR is required")
	}
	if !(*mbps >= 0) {
		return usagef("--mbps must be >= 0, got %v", *mbps)
	}
	if *reps < 0 || *reps > 19 || (*reps > 0 && *reps%2 == 0) {
		return usagef("--reps must be an odd number in 1..19 (the median window is kept, and an even count has no middle one), got %d", *reps)
	}
	o := testbed.DefaultOptions(*quick)
	if *configs != "" {
		cs, err := testbed.ParseConfigs(*configs)
		if err != nil {
			return usagef("--configs: %v", err)
		}
		o.Configs = cs
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	o.Out, o.CPU, o.PacingMbps, o.UDP, o.Log = *out, *cpu, *mbps, *udp, stderr
	if *reps > 0 {
		o.Reps = *reps
	}
	o.Command = "cnisim testbed run " + strings.Join(args, " ")
	ctx, stop := signalContext()
	defer stop()
	r, err := testbed.Measure(ctx, o)
	if r != nil && len(r.Configs) > 0 {
		if serr := r.Save(*out); serr != nil {
			return errors.Join(err, serr)
		}
		fmt.Fprintf(stderr, "wrote %s (%d configurations, %d skipped)\n", filepath.Join(*out, testbed.MeasurementsFile), len(r.Configs), len(r.Skipped))
	}
	if err != nil {
		return signalledErr(ctx, err)
	}
	if len(r.Configs) == 0 {
		return fmt.Errorf("no configuration could be measured (skipped: %v)", r.Skipped)
	}
	return nil
}

// testbedLoad loads and calibrates the run DIRs: the first is the primary
// run, the others are pooled with it (testbed.PoolPoints); points are the
// pooled points in the primary's order.
func testbedLoad(fs *pflag.FlagSet) (r *testbed.Run, cs []testbed.Calibrated, others []*testbed.Run, points []testbed.Point, err error) {
	if err := wantArgs(fs, 1, 16, "the run DIR (more DIRs: runs of the same configurations to pool with it)"); err != nil {
		return nil, nil, nil, nil, err
	}
	sets := [][]testbed.Point{}
	for i, dir := range fs.Args() {
		run, err := testbed.Load(dir)
		if err != nil {
			return nil, nil, nil, nil, usagef("%v", err)
		}
		c, err := testbed.CalibrateAll(run, dir)
		if err != nil {
			return nil, nil, nil, nil, usagef("%s: %v", dir, err)
		}
		if i == 0 {
			r, cs = run, c
		} else {
			others = append(others, run)
		}
		sets = append(sets, testbed.Points(c))
	}
	if points, err = testbed.PoolPoints(sets...); err != nil {
		return nil, nil, nil, nil, usagef("%v", err)
	}
	return r, cs, others, points, nil
}

func testbedCalibrate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("testbed calibrate", testbedCalibrateSynopsis, stderr)
	out := fs.String("out", "", "write the profile to `PROFILE.toml` (required)")
	name := fs.String("name", "testbed", "profile name")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out PROFILE.toml is required")
	}
	r, cs, others, points, err := testbedLoad(fs)
	if err != nil {
		return err
	}
	p, err := testbed.Profile(r, points, *name, others...)
	if err != nil {
		return err
	}
	if err := p.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: %d stage costs, %d rule costs from %d configurations\n", *out, len(p.Costs), len(p.RuleCosts), len(cs))
	return nil
}

func testbedValidate(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("testbed validate", testbedValidateSynopsis, stderr)
	prof := fs.String("profile", "", "calibration profile (built-in name or file) to predict every configuration with (required)")
	out := fs.String("out", "", "`DIR` for validate.md, validate.json and the plot validate.png/.svg")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *prof == "" {
		return usagef("--profile is required (e.g. the output of cnisim testbed calibrate)")
	}
	r, cs, others, points, err := testbedLoad(fs)
	if err != nil {
		return err
	}
	p, err := calibration.Load(*prof)
	if err != nil {
		return usagef("--profile: %v", err)
	}
	rep, err := testbed.ValidatePooled(r, cs, points, others, p)
	if err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	if err := rep.AddRR(ctx, r, *prof); err != nil {
		return err
	}
	if err := rep.AddRRLeaveOneOut(ctx, r, points); err != nil {
		return err
	}
	if err := rep.WriteTable(stdout); err != nil {
		return err
	}
	if *out == "" {
		return nil
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	var md strings.Builder
	if err := rep.WriteTable(&md); err != nil {
		return err
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	pts, err := json.MarshalIndent(testbed.NewPointsData(r, cs, points, rep.Machine), "", "  ")
	if err != nil {
		return err
	}
	for name, data := range map[string][]byte{"validate.md": []byte(md.String()), "validate.json": append(js, '\n'), testbed.PointsFile: append(pts, '\n')} {
		if err := writeWhole(filepath.Join(*out, name), data); err != nil {
			return err
		}
	}
	fig, err := rep.Plot()
	if err != nil {
		fmt.Fprintf(stderr, "no plot: %v\n", err)
		return nil
	}
	paths, err := plots.Save(fig, filepath.Join(*out, "validate"), "png", "svg")
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s\n", strings.Join(append([]string{filepath.Join(*out, "validate.md"), filepath.Join(*out, "validate.json")}, paths...), ", "))
	return nil
}

// testbedCompare compares two runs' measured cycles per packet,
// configuration by configuration (testbed.Repeat).
func testbedCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("testbed compare", testbedCompareSynopsis, stderr)
	tol := fs.Float64("tolerance", 5, "the largest difference, in %, that counts as repeating")
	out := fs.String("out", "", "`DIR` for repeat.md and repeat.json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 2, 2, "the two run DIRs"); err != nil {
		return err
	}
	if !(*tol >= 0 && *tol <= 100) {
		return usagef("--tolerance %v: want a percentage in 0..100", *tol)
	}
	var runs [2]*testbed.Run
	for i := range runs {
		r, err := testbed.Load(fs.Arg(i))
		if err != nil {
			return usagef("%v", err)
		}
		runs[i] = r
	}
	rep := testbed.Repeat(runs[0], runs[1], *tol)
	if len(rep.Rows) == 0 {
		return usagef("%s and %s measured no configuration in common", fs.Arg(0), fs.Arg(1))
	}
	var md strings.Builder
	if err := rep.WriteTable(&md); err != nil {
		return err
	}
	if _, err := io.WriteString(stdout, md.String()); err != nil {
		return err
	}
	if *out == "" {
		return nil
	}
	js, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for name, data := range map[string][]byte{"repeat.md": []byte(md.String()), "repeat.json": append(js, '\n')} {
		if err := writeWhole(filepath.Join(*out, name), data); err != nil {
			return err
		}
	}
	return nil
}

// writeWhole writes a file through a temporary file and a rename, so
// that it is whole or absent.
func writeWhole(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
