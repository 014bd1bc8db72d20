package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/cnisim/cnisim/calibration/perf"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/spf13/pflag"
)

const (
	calibratePerfSynopsis = "calibrate perf --script FILE --packets N --cpu-ghz F [--event cycles|cpu-clock]\n" +
		"                        [--map FILE] [--cpus LIST] [--plugin P [--mode M] --placement intra|inter]\n" +
		"                        [--format table|json] [--out FILE.toml]"
	calibrateFitSynopsis = "calibrate fit --measurements FILE.csv [--cpu-ghz F] [--stages LIST]\n" +
		"                       [--format table|json] [--out FILE.toml]"
)

// calibrateSubs are the `cnisim calibrate WHAT` subcommands.
var calibrateSubs = map[string]func(args []string, stdout, stderr io.Writer) error{
	"perf": runCalibratePerf,
	"fit":  runCalibrateFit,
}

func init() {
	register(&command{name: "calibrate", summary: "derive a calibration profile from perf script output or measurements", run: runCalibrate})
}

func runCalibrate(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("missing subcommand (perf or fit)")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintf(stderr, "Usage: cnisim %s\n       cnisim %s\n\nRun 'cnisim calibrate perf --help' or 'cnisim calibrate fit --help' for the flags.\n",
			calibratePerfSynopsis, calibrateFitSynopsis)
		return pflag.ErrHelp
	}
	sub, ok := calibrateSubs[args[0]]
	if !ok {
		return usagef("unknown subcommand %q (valid: perf, fit)", args[0])
	}
	return sub(args[1:], stdout, stderr)
}

type calibratePerfFlags struct {
	script, event, mapFile, cpus, format, out string
	plugin, mode, placement                   string
	packets                                   int64
	ghz                                       float64
}

func runCalibratePerf(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calibrate perf", calibratePerfSynopsis, stderr)
	var f calibratePerfFlags
	fs.StringVar(&f.script, "script", "", "`FILE` of perf script text, or gzip of it (required)")
	fs.Int64Var(&f.packets, "packets", 0, "packets sent during the recording (required, > 0)")
	fs.Float64Var(&f.ghz, "cpu-ghz", 0, "frequency of the recorded CPUs in GHz (required, > 0)")
	fs.StringVar(&f.event, "event", "", "sampled event: cycles or cpu-clock (default: the first sample's)")
	fs.StringVar(&f.mapFile, "map", "", "symbol rule `FILE` (TOML [[rule]] pattern/stage) put before the built-in rules")
	fs.StringVar(&f.cpus, "cpus", "", "keep only samples of these CPUs, as `LIST` like 0,2,4-7")
	fs.StringVar(&f.plugin, "plugin", "", "plugin (built-in name or model file) of the recorded path: divides each CPP by its crossings")
	fs.StringVar(&f.mode, "mode", "", "mode of --plugin (default: the plugin's default mode)")
	fs.StringVar(&f.placement, "placement", "", "placement of the recorded pods with --plugin: intra or inter")
	fs.StringVar(&f.format, "format", "table", "stdout format: table or json")
	fs.StringVar(&f.out, "out", "", "write the derived profile to `FILE.toml` (whole or not at all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 0, 0, "no arguments"); err != nil {
		return err
	}
	opt, err := f.options(fs)
	if err != nil {
		return err
	}
	tgt, err := loadPerfTarget(f.plugin, f.mode, f.placement)
	if err != nil {
		return err
	}
	if err := checkOutFile(f.out); err != nil {
		return err
	}
	res, err := perf.AnalyzeFile(f.script, opt)
	if err != nil {
		return usagef("--script %v", err)
	}
	if err := writePerfResult(stdout, stderr, f.format, res, tgt); err != nil {
		return err
	}
	if f.out == "" {
		return nil
	}
	popt := perf.ProfileOptions{Name: profileName(f.out)}
	kept := res
	if tgt != nil {
		popt.Plugin, popt.Mode, popt.Placement = tgt.plugin, tgt.mode, string(tgt.placement)
		popt.Crossings, kept = tgt.crossingsFor(res, stderr)
	}
	p, err := kept.Profile(popt)
	if err != nil {
		return err
	}
	if err := p.Save(f.out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: profile %q, %d derived entries at %g GHz\n", f.out, p.Name, len(p.Costs), p.GHz)
	return nil
}

// options checks the flags and returns the analysis options; every error
// names its flag.
func (f *calibratePerfFlags) options(fs *pflag.FlagSet) (perf.Options, error) {
	opt := perf.Options{Packets: f.packets, CPUGHz: f.ghz, Event: f.event}
	switch {
	case f.script == "":
		return opt, usagef("missing --script FILE (perf script output: perf script -i perf.data > FILE)")
	case !fs.Changed("packets"):
		return opt, usagef("missing --packets N (the packets sent during the recording)")
	case f.packets <= 0:
		return opt, usagef("--packets must be > 0 (the packets sent during the recording), got %d", f.packets)
	case !fs.Changed("cpu-ghz"):
		return opt, usagef("missing --cpu-ghz F (the recorded CPUs' frequency in GHz)")
	case !(f.ghz > 0) || math.IsInf(f.ghz, 0):
		return opt, usagef("--cpu-ghz must be a finite number > 0, got %v", f.ghz)
	}
	switch f.event {
	case "", perf.EventCycles, perf.EventCPUClock:
	default:
		return opt, usagef("--event: unknown event %q (valid: %s, %s)", f.event, perf.EventCycles, perf.EventCPUClock)
	}
	if err := checkFormat(f.format); err != nil {
		return opt, err
	}
	if f.cpus != "" {
		cpus, err := perf.ParseCPUList(f.cpus)
		if err != nil {
			return opt, usagef("--cpus: %v", err)
		}
		opt.CPUs = cpus
	}
	if f.mapFile != "" {
		m, err := perf.LoadMapping(f.mapFile)
		if err != nil {
			return opt, usagef("--map: %v", err)
		}
		opt.Map = &m
	}
	return opt, nil
}

// perfTarget is the recorded configuration given by --plugin, --mode and
// --placement, with its crossings on the node perf measured.
type perfTarget struct {
	plugin, mode string
	placement    datapath.Placement
	counts       [datapath.NumKinds]float64
}

func loadPerfTarget(plugin, mode, placement string) (*perfTarget, error) {
	if plugin == "" {
		if mode != "" || placement != "" {
			return nil, usagef("--mode and --placement need --plugin")
		}
		return nil, nil
	}
	pl := datapath.Placement(placement)
	if pl != datapath.Intra && pl != datapath.Inter {
		return nil, usagef("--placement: want intra or inter with --plugin (the crossings differ), got %q", placement)
	}
	m, err := cni.Load(plugin)
	if err != nil {
		return nil, usagef("--plugin: %v", err)
	}
	if mode == "" {
		mode = m.DefaultMode
	}
	// PerfCounts: the receiver node inter-host, the one node intra-host,
	// as the paper's perf measured (III.B, III.C).
	c, err := m.PerfCounts(mode, pl, cni.PathOptions{})
	if err != nil {
		return nil, usagef("--mode: %v", err)
	}
	return &perfTarget{plugin: m.Name, mode: mode, placement: pl, counts: c}, nil
}

// crossingsFor returns the crossing counts for the profile and the result
// without the stages the model does not cross on the measured node: their
// cycles have no crossing to be charged to (a warning names them).
func (t *perfTarget) crossingsFor(res *perf.Result, stderr io.Writer) (map[datapath.Kind]float64, *perf.Result) {
	cross := map[datapath.Kind]float64{}
	kept := *res
	kept.Stages = nil
	var dropped []string
	for _, s := range res.Stages {
		k, err := datapath.ParseKind(s.Stage)
		if err != nil { // "other": not a stage, Profile leaves it out
			kept.Stages = append(kept.Stages, s)
			continue
		}
		if t.counts[k] == 0 {
			dropped = append(dropped, s.Stage)
			continue
		}
		cross[k] = t.counts[k]
		kept.Stages = append(kept.Stages, s)
	}
	if len(dropped) > 0 {
		fmt.Fprintf(stderr, "warning: %s/%s/%s does not cross %s on the measured node: left out of the profile (check --plugin/--mode/--placement or the symbol map)\n",
			t.plugin, t.mode, t.placement, strings.Join(dropped, ", "))
	}
	return cross, &kept
}

// perfJSON is the JSON breakdown: attributed stages by name (sorted by
// encoding/json), the unattributed share apart.
type perfJSON struct {
	Samples           int                      `json:"samples"`
	UnattributedShare float64                  `json:"unattributed_share"`
	Stages            map[string]perfStageJSON `json:"stages"`
}

type perfStageJSON struct {
	Share float64 `json:"share"`
	CPP   float64 `json:"cpp"`
}

func writePerfResult(stdout, stderr io.Writer, format string, res *perf.Result, tgt *perfTarget) error {
	if format == "json" {
		out := perfJSON{Samples: res.Samples, UnattributedShare: res.UnattributedShare, Stages: map[string]perfStageJSON{}}
		for _, s := range res.Stages {
			if s.Stage != perf.StageOther {
				out.Stages[s.Stage] = perfStageJSON{Share: s.Share, CPP: s.CPP}
			}
		}
		for _, w := range res.Warnings {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if err := res.WriteTable(stdout); err != nil {
		return err
	}
	if tgt == nil {
		return nil
	}
	fmt.Fprintf(stdout, "\nper crossing for %s/%s/%s on the measured node:\n", tgt.plugin, tgt.mode, tgt.placement)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tcrossings\tcycles\t")
	for _, s := range res.Stages {
		k, err := datapath.ParseKind(s.Stage)
		if err != nil {
			continue
		}
		if n := tgt.counts[k]; n > 0 {
			fmt.Fprintf(tw, "%s\t%g\t%.1f\t\n", s.Stage, n, s.CPP/n)
		} else {
			fmt.Fprintf(tw, "%s\t0\t-\t\n", s.Stage)
		}
	}
	return tw.Flush()
}

func checkFormat(format string) error {
	if format != "table" && format != "json" {
		return usagef("--format: unknown format %q (valid: table, json)", format)
	}
	return nil
}

// checkOutFile refuses an --out whose directory is missing or which is a
// directory, before any work is done.
func checkOutFile(path string) error {
	if path == "" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("--out %s is a directory (want a .toml file path)", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return usagef("--out %s: directory %s does not exist", path, dir)
		}
		return usagef("--out %s: %v", path, err)
	}
	if !fi.IsDir() {
		return usagef("--out %s: %s is not a directory", path, dir)
	}
	return nil
}

// profileName names a written profile after its file: out/node1.toml is
// profile "node1".
func profileName(out string) string {
	base := filepath.Base(out)
	return strings.TrimSuffix(base, filepath.Ext(base))
}
