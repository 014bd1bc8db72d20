package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/calibration/perf"
	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/spf13/pflag"
)

const (
	calibratePerfSynopsis = "calibrate perf --script FILE --packets N --cpu-ghz F [--bytes B] [--acks A]\n" +
		"                        [--writes W] [--reads R] [--wakeups K] [--writer-wakeups J]\n" +
		"                        [--event cycles|cpu-clock] [--period P | --freq HZ] [--map FILE]\n" +
		"                        [--cpus LIST] [--comm NAME]... [--pid N]...\n" +
		"                        [--plugin P [--mode M] --placement intra|inter [--node src|dst]]\n" +
		"                        [--format table|json] [--out FILE.toml [--base PROFILE]]"
	calibrateFitSynopsis = "calibrate fit --measurements FILE.csv [--cpu-ghz F] [--stages LIST]\n" +
		"                       [--format table|json] [--out FILE.toml]"
)

// calibrateSubs are the `cnisim calibrate WHAT` subcommands.
var calibrateSubs = map[string]func(args []string, stdout, stderr io.Writer) error{
	"perf":  runCalibratePerf,
	"fit":   runCalibrateFit,
	"rules": runCalibrateRules,
	"clock": runCalibrateClock,
}

func init() {
	register(&command{name: "calibrate", summary: "derive a calibration profile from perf script output or measurements", run: runCalibrate})
}

func runCalibrate(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("missing subcommand (perf, fit, rules or clock)")
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintf(stderr, "Usage: cnisim %s\n       cnisim %s\n       cnisim %s\n       cnisim %s\n\nRun 'cnisim calibrate perf|fit|rules|clock --help' for the flags.\n",
			calibratePerfSynopsis, calibrateFitSynopsis, calibrateRulesSynopsis, calibrateClockSynopsis)
		return pflag.ErrHelp
	}
	sub, ok := calibrateSubs[args[0]]
	if !ok {
		return usagef("unknown subcommand %q (valid: perf, fit, rules, clock)", args[0])
	}
	return sub(args[1:], stdout, stderr)
}

type calibratePerfFlags struct {
	script, event, mapFile, cpus, format, out string
	base                                      string
	plugin, mode, placement, node             string
	packets, bytes, acks                      int64
	writes, reads, wakeups, writerWakeups     int64
	ghz, period, freq                         float64
	comms                                     []string
	pids                                      []int
}

func runCalibratePerf(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calibrate perf", calibratePerfSynopsis, stderr)
	var f calibratePerfFlags
	fs.StringVar(&f.script, "script", "", "`FILE` of perf script text, or gzip of it (required)")
	fs.Int64Var(&f.packets, "packets", 0, "data packets sent during the recording (required, > 0)")
	fs.Int64Var(&f.bytes, "bytes", 0, fmt.Sprintf("payload bytes those packets carried: copy and crypto stages get cycles per IP byte (payload + %d header bytes per packet, ACKs included, as the simulator charges them)", datapath.TCPIPOverhead))
	fs.Int64Var(&f.acks, "acks", 0, "pure ACK packets on the measured node during the recording (from its counters)")
	fs.Int64Var(&f.writes, "writes", 0, "the application's send calls on the measured node during the recording (e.g. bytes written / write size); 0: one per data packet assumed")
	fs.Int64Var(&f.reads, "reads", 0, "the application's read calls on the measured node (perf stat -e syscalls:sys_enter_recvfrom,...); 0: one per data packet assumed")
	fs.Int64Var(&f.wakeups, "wakeups", 0, "wake-ups of the blocked reader or writer on the measured node (perf stat -e sched:sched_wakeup); 0: one per data packet assumed")
	fs.Int64Var(&f.writerWakeups, "writer-wakeups", 0, "of the --wakeups, those of the application's writer (a paced writer's sleeps: one per write; a full send buffer), priced by the writer's sched step; 0: all the reader's")
	fs.Float64Var(&f.ghz, "cpu-ghz", 0, "frequency of the recorded CPUs in GHz (required, > 0)")
	fs.StringVar(&f.event, "event", "", "sampled event: cycles or cpu-clock (default: the first sample's)")
	fs.Float64Var(&f.period, "period", 0, "event units per sample for samples without a period field (perf record -c P)")
	fs.Float64Var(&f.freq, "freq", 0, "cpu-clock samples per second for samples without a period field (perf record -F HZ): 1e9/HZ ns each")
	fs.StringVar(&f.mapFile, "map", "", "symbol rule `FILE` (TOML [[rule]] pattern/stage[/owner/boundary]) put before the built-in rules")
	fs.StringVar(&f.cpus, "cpus", "", "keep only samples of these CPUs, as `LIST` like 0,2,4-7")
	fs.StringSliceVar(&f.comms, "comm", nil, "keep only samples of these commands (repeatable or comma list; globs such as 'ksoftirqd/*')")
	fs.IntSliceVar(&f.pids, "pid", nil, "keep only samples of these pids or tids (repeatable or comma list)")
	fs.StringVar(&f.plugin, "plugin", "", "plugin (built-in name or model file) of the recorded path: costs per crossing of its graph")
	fs.StringVar(&f.mode, "mode", "", "mode of --plugin (default: the plugin's default mode)")
	fs.StringVar(&f.placement, "placement", "", "placement of the recorded pods with --plugin: intra or inter")
	fs.StringVar(&f.node, "node", "", "node perf recorded, inter-host: src or dst (default dst, the receiver, as the paper measured)")
	fs.StringVarP(&f.format, "format", "f", "table", "stdout format: table or json")
	fs.StringVarP(&f.out, "out", "o", "", "write the derived profile to `FILE.toml` (whole or not at all)")
	fs.StringVar(&f.base, "base", "", "with --out: copy into the written profile the entries of `PROFILE` (built-in name, path, or a,b layers) that perf did not calibrate, each with its own provenance, so the file runs on its own")
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
	tgt, err := loadPerfTarget(f.plugin, f.mode, f.placement, f.node)
	if err != nil {
		return err
	}
	if err := checkOutFile(f.out); err != nil {
		return err
	}
	base, err := loadBase(f.base, f.out)
	if err != nil {
		return err
	}
	res, err := perf.AnalyzeFile(f.script, opt)
	if err != nil {
		return usagef("--script %v", err)
	}
	popt := perf.ProfileOptions{Name: profileName(f.out)}
	var cross *datapath.Crossings
	if tgt != nil {
		popt.Plugin, popt.Mode, popt.Placement = tgt.plugin, tgt.mode, string(tgt.placement)
		cross = &tgt.cross
	}
	cal, err := perf.Calibrate(res, perf.Counters{Packets: f.packets, Bytes: f.bytes, Acks: f.acks, Writes: f.writes, Reads: f.reads, Wakeups: f.wakeups, WriterWakeups: f.writerWakeups}, cross, popt)
	if err != nil {
		return usagef("--script %s: %v", f.script, err)
	}
	if err := writePerfResult(stdout, stderr, f.format, res, cal, tgt); err != nil {
		return err
	}
	if f.out == "" {
		return nil
	}
	p := cal.Profile
	derived := len(p.Costs)
	if base != nil {
		p = overBase(base, p, f.base)
	}
	if err := p.Save(f.out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: profile %q, %d derived entries at %g GHz", f.out, p.Name, derived, p.GHz)
	if base != nil {
		fmt.Fprintf(stderr, ", %d entries from base %s", len(p.Costs)-derived, f.base)
	}
	fmt.Fprintln(stderr)
	return nil
}

// loadBase loads the --base profile before the analysis, so a bad name
// fails fast (exit 2, naming the flag).
func loadBase(base, out string) (*calibration.Profile, error) {
	if base == "" {
		return nil, nil
	}
	if out == "" {
		return nil, usagef("--base needs --out (it shapes the written profile)")
	}
	b, err := calibration.LoadLayers(base)
	if err != nil {
		return nil, usagef("--base: %v", err)
	}
	return b, nil
}

// overBase writes the base's entries into the derived profile (the
// derived ones replacing the base's of the same stage, plugin, mode and
// placement) rather than referencing the base: the file is a snapshot that
// runs alone and does not change when the base does, and each entry keeps
// the provenance and source it had. Name and cpu_ghz are the derived
// profile's.
func overBase(base, derived *calibration.Profile, baseName string) *calibration.Profile {
	p := calibration.Layer(base, derived)
	p.Name, p.GHz = derived.Name, derived.GHz
	p.Description = strings.TrimSpace(derived.Description + " Entries not derived by calibrate perf are copied from base profile " + baseName + " (" + base.Name + ") with their own provenance.")
	return p
}

// options checks the flags and returns the analysis options; every error
// names its flag.
func (f *calibratePerfFlags) options(fs *pflag.FlagSet) (perf.Options, error) {
	opt := perf.Options{Packets: f.packets, CPUGHz: f.ghz, Event: f.event, Period: f.period, Freq: f.freq, Comms: f.comms, PIDs: f.pids}
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
	switch {
	case f.bytes < 0:
		return opt, usagef("--bytes must be >= 0 (payload bytes of the data packets), got %d", f.bytes)
	case f.acks < 0:
		return opt, usagef("--acks must be >= 0 (pure ACKs on the measured node), got %d", f.acks)
	case f.writes < 0 || f.reads < 0 || f.wakeups < 0:
		return opt, usagef("--writes, --reads and --wakeups must be >= 0 (0: one per data packet), got %d, %d, %d", f.writes, f.reads, f.wakeups)
	case f.writerWakeups < 0 || f.writerWakeups > 0 && f.writerWakeups > f.wakeups:
		return opt, usagef("--writer-wakeups must be >= 0 and at most --wakeups (they are among them), got %d with --wakeups %d", f.writerWakeups, f.wakeups)
	case !(f.period >= 0) || math.IsInf(f.period, 0):
		return opt, usagef("--period must be a finite number > 0 (event units per sample), got %v", f.period)
	case !(f.freq >= 0) || math.IsInf(f.freq, 0):
		return opt, usagef("--freq must be a finite number > 0 (samples per second), got %v", f.freq)
	case fs.Changed("period") && f.period == 0:
		return opt, usagef("--period must be > 0 (event units per sample), got 0")
	case fs.Changed("freq") && f.freq == 0:
		return opt, usagef("--freq must be > 0 (samples per second), got 0")
	case f.period > 0 && f.freq > 0:
		return opt, usagef("--period and --freq exclude each other (--freq HZ means --period 1e9/HZ of cpu-clock)")
	case f.freq > 0 && f.event == perf.EventCycles:
		return opt, usagef("--freq gives a fixed period for cpu-clock only (perf adapts the period of cycles); use the period field or --period")
	}
	for _, c := range f.comms {
		if _, err := path.Match(c, ""); err != nil || c == "" {
			return opt, usagef("--comm: bad name or pattern %q", c)
		}
	}
	for _, p := range f.pids {
		if p < 0 {
			return opt, usagef("--pid must be >= 0, got %d", p)
		}
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

// perfTarget is the recorded configuration given by --plugin, --mode,
// --placement and --node, with its crossings on the node perf measured.
type perfTarget struct {
	plugin, mode string
	placement    datapath.Placement
	node         datapath.Side
	cross        datapath.Crossings
}

func loadPerfTarget(plugin, mode, placement, node string) (*perfTarget, error) {
	if plugin == "" {
		if mode != "" || placement != "" || node != "" {
			return nil, usagef("--mode, --placement and --node need --plugin")
		}
		return nil, nil
	}
	pl := datapath.Placement(placement)
	if pl != datapath.Intra && pl != datapath.Inter {
		return nil, usagef("--placement: want intra or inter with --plugin (the crossings differ), got %q", placement)
	}
	side := datapath.Dst // the receiver, as the paper's perf measured (III.B, III.C)
	switch node {
	case "", "dst":
	case "src":
		side = datapath.Src
	default:
		return nil, usagef("--node: want src or dst, got %q", node)
	}
	if node != "" && pl == datapath.Intra {
		return nil, usagef("--node applies to --placement inter (intra-host both pods are on the one node)")
	}
	m, err := cni.Load(plugin)
	if err != nil {
		return nil, usagef("--plugin: %v", err)
	}
	if mode == "" {
		mode = m.DefaultMode
	}
	x, err := m.NodeCrossings(mode, pl, cni.PathOptions{}, side)
	if err != nil {
		return nil, usagef("--mode: %v", err)
	}
	return &perfTarget{plugin: m.Name, mode: mode, placement: pl, node: side, cross: x}, nil
}

// perfJSON is the JSON breakdown: the counters, the measured cycles per
// data packet, the stages by name (sorted by encoding/json) with their
// III.1 share and CPP and their calibrated cost per crossing and per byte.
type perfJSON struct {
	Samples           int                      `json:"samples"`
	UnattributedShare float64                  `json:"unattributed_share"`
	CPPTotal          float64                  `json:"cpp_total"`
	PredictedCPP      float64                  `json:"predicted_cpp"`
	Packets           int64                    `json:"packets"`
	Bytes             int64                    `json:"bytes"`
	Acks              int64                    `json:"acks"`
	AcksPerPacket     float64                  `json:"acks_per_packet"`
	Stages            map[string]perfStageJSON `json:"stages"`
}

type perfStageJSON struct {
	Share         float64 `json:"share"`
	CPP           float64 `json:"cpp"`
	DataCrossings float64 `json:"data_crossings"`
	AckCrossings  float64 `json:"ack_crossings"`
	// CallCrossings: per data packet, of a per-call or per-wake-up stage
	// at the counted (or assumed) calls and wake-ups
	CallCrossings float64 `json:"call_crossings,omitempty"`
	Cycles        float64 `json:"cycles"`
	CyclesPerByte float64 `json:"cycles_per_byte"`
}

func writePerfResult(stdout, stderr io.Writer, format string, res *perf.Result, cal *perf.Calibration, tgt *perfTarget) error {
	if format == "json" {
		out := perfJSON{Samples: res.Samples, UnattributedShare: res.UnattributedShare, CPPTotal: res.CPPTotal,
			PredictedCPP: cal.PredictedCPP, Packets: cal.Counters.Packets, Bytes: cal.Counters.Bytes, Acks: cal.Counters.Acks,
			AcksPerPacket: cal.AcksPerPacket, Stages: map[string]perfStageJSON{}}
		for _, s := range res.Stages {
			if s.Stage != perf.StageOther {
				out.Stages[s.Stage] = perfStageJSON{Share: s.Share, CPP: s.CPP}
			}
		}
		for _, c := range cal.Stages {
			j := out.Stages[c.Stage]
			j.DataCrossings, j.AckCrossings, j.Cycles, j.CyclesPerByte = c.DataCrossings, c.AckCrossings, c.Cycles, c.CyclesPerByte
			j.CallCrossings = c.CallCrossings
			out.Stages[c.Stage] = j
		}
		for _, w := range append(res.Warnings, cal.Warnings...) {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if err := res.WriteTable(stdout); err != nil {
		return err
	}
	conf := "no configuration: one crossing per data packet of each stage perf saw, ACKs not modelled"
	if tgt != nil {
		conf = fmt.Sprintf("%s/%s/%s", tgt.plugin, tgt.mode, tgt.placement)
		if tgt.placement == datapath.Inter {
			conf += " on the " + tgt.node.String() + " node"
		}
	}
	fmt.Fprintf(stdout, "\ncalibrated (%s): %d data packets, %d payload bytes, %d ACKs (%.4g per packet)\n",
		conf, cal.Counters.Packets, cal.Counters.Bytes, cal.Counters.Acks, cal.AcksPerPacket)
	fmt.Fprintf(stdout, "measured %.6g cycles per data packet, profile predicts %.6g\n", cal.MeasuredCPP, cal.PredictedCPP)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	// call x: crossings of the per-call and per-wake-up stages per data
	// packet at the counted (or assumed) calls and wake-ups
	fmt.Fprintln(tw, "stage\tdata x\tack x\tcall x\tcycles\tcycles/byte\t")
	for _, c := range cal.Stages {
		if c.Crossings == 0 && c.CyclesPerByte == 0 {
			fmt.Fprintf(tw, "%s\t%g\t%g\t%.4g\tfolded\t-\t\n", c.Stage, c.DataCrossings, c.AckCrossings, c.CallCrossings)
			continue
		}
		fmt.Fprintf(tw, "%s\t%g\t%g\t%.4g\t%.1f\t%.4g\t\n", c.Stage, c.DataCrossings, c.AckCrossings, c.CallCrossings, c.Cycles, c.CyclesPerByte)
	}
	for _, w := range cal.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
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
