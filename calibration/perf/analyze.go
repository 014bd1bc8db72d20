package perf

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
)

// Event names the sampled event.
const (
	EventCycles   = "cycles"    // hardware cycles: a sample's period is cycles
	EventCPUClock = "cpu-clock" // software timer: a sample's period is nanoseconds
)

// Options of an analysis.
type Options struct {
	Packets int64   // packets sent during the recording (> 0)
	CPUGHz  float64 // frequency of the recorded CPUs (> 0): converts cpu-clock ns to cycles
	// Event is EventCycles or EventCPUClock; "" takes the event of the
	// first sample. Samples of other events are skipped.
	Event string
	// Map is the symbol rule table; nil means the built-in one.
	Map *Mapping
	// CPUs keeps only samples of these CPUs; nil keeps all.
	CPUs []int
	// Period weighs samples that carry no period (scripts without the
	// period field), in event units (perf record -c P). Freq does the same
	// for cpu-clock sampled at Freq Hz (perf record -F): 1e9/Freq ns. With
	// neither, a sample without a period is an error: a weight of 1 would
	// make every cycle count and CPP meaningless.
	Period, Freq float64
	// Comms keeps only samples whose comm matches one of these globs
	// ("sender", "ksoftirqd/*"); PIDs only samples whose pid or tid is one
	// of these. nil keeps all.
	Comms []string
	PIDs  []int
}

// StageShare is one stage's part of the busy cycles.
type StageShare struct {
	Stage   string  `json:"stage"` // a canonical kind, or "other" for unattributed
	Samples int     `json:"samples"`
	Cycles  float64 `json:"cycles"`
	Share   float64 `json:"share"` // of the busy cycles
	CPP     float64 `json:"cpp"`   // formula III.1: total cycles / packets x share
}

// SymbolShare is a leaf symbol of unattributed samples, to help extend the
// rule table.
type SymbolShare struct {
	Symbol string  `json:"symbol"`
	Share  float64 `json:"share"` // of the busy cycles
}

// Result of an analysis.
type Result struct {
	InputSHA256       string  `json:"input_sha256"`
	Event             string  `json:"event"`
	CPUGHz            float64 `json:"cpu_ghz"`
	Packets           int64   `json:"packets"`
	Mapping           string  `json:"mapping"`
	Samples           int     `json:"samples"`         // busy samples counted
	IdleSamples       int     `json:"idle_samples"`    // idle task in the idle loop
	SkippedSamples    int     `json:"skipped_samples"` // other events, or CPUs outside the filter
	TotalCycles       float64 `json:"total_cycles"`    // busy cycles
	IdleCycles        float64 `json:"idle_cycles"`
	CPPTotal          float64 `json:"cpp_total"` // busy cycles / packets
	UnattributedShare float64 `json:"unattributed_share"`
	// PassedLeafShare is the share of busy cycles whose leaf frame a "pass"
	// rule sent on to its caller: mostly cpu-clock skid at irq-enable
	// points (notes/fidelity.md), a measure of how blurred the capture is.
	PassedLeafShare float64       `json:"passed_leaf_share"`
	Stages          []StageShare  `json:"stages"` // canonical kind order, then "other"; only stages with samples
	TopUnattributed []SymbolShare `json:"top_unattributed,omitempty"`
	Warnings        []string      `json:"warnings,omitempty"`
}

// AnalyzeFile analyses the perf script text (or gzip of it) at path;
// errors name the file and line.
func AnalyzeFile(path string, opt Options) (*Result, error) {
	// Stat before Open: opening a FIFO blocks until a writer comes.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	switch {
	case fi.IsDir():
		return nil, fmt.Errorf("%s: is a directory (want a perf script text file, or gzip of one)", path)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file (%s): save the perf script output to a file first", path, fi.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := Analyze(f, opt)
	if err != nil {
		var le *lineError
		if errors.As(err, &le) {
			return nil, fmt.Errorf("%s:%d: %s", path, le.line, le.msg)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

// Analyze reads perf script text from r and applies formula III.1.
func Analyze(r io.Reader, opt Options) (*Result, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	mp := opt.Map
	if mp == nil {
		b := BuiltinMapping()
		mp = &b
	}
	m, err := compileRules(mp.Rules)
	if err != nil {
		return nil, fmt.Errorf("mapping %s: %w", mp.Desc, err)
	}
	h := sha256.New()
	a := &accum{opt: opt, m: m, event: opt.Event, seen: map[string]bool{}, other: map[string]float64{}}
	if err := parseScript(io.TeeReader(r, h), a.add); err != nil {
		return nil, err
	}
	if _, err := io.Copy(h, r); err != nil { // hash what the parser left unread
		return nil, err
	}
	res, err := a.result()
	if err != nil {
		return nil, err
	}
	res.InputSHA256 = hex.EncodeToString(h.Sum(nil))
	res.Mapping = mp.Desc
	return res, nil
}

func (o *Options) check() error {
	var errs []error
	if o.Packets <= 0 {
		errs = append(errs, fmt.Errorf("packets must be > 0 (the packets sent during the recording), got %d", o.Packets))
	}
	if !(o.CPUGHz > 0) || math.IsInf(o.CPUGHz, 0) {
		errs = append(errs, fmt.Errorf("cpu GHz must be a finite number > 0, got %v", o.CPUGHz))
	}
	switch o.Event {
	case "", EventCycles, EventCPUClock:
	default:
		errs = append(errs, fmt.Errorf("unknown event %q (valid: %s, %s)", o.Event, EventCycles, EventCPUClock))
	}
	if !(o.Period >= 0 && o.Period <= MaxPeriod) {
		errs = append(errs, fmt.Errorf("period must be a number in 0..%g, got %v", float64(MaxPeriod), o.Period))
	}
	if o.Freq != 0 && !(o.Freq >= 1e9/MaxPeriod && o.Freq <= 1e9) {
		errs = append(errs, fmt.Errorf("freq must be 0 or a number in %g..1e9 Hz (a period of at most %g ns), got %v", 1e9/MaxPeriod, float64(MaxPeriod), o.Freq))
	}
	if o.Period > 0 && o.Freq > 0 {
		errs = append(errs, errors.New("give a period or a frequency, not both"))
	}
	if o.Freq > 0 && o.Event == EventCycles {
		errs = append(errs, errors.New("a sampling frequency gives a fixed period for cpu-clock only (perf adapts the period of cycles); use the period field"))
	}
	for _, c := range o.Comms {
		if _, err := path.Match(c, ""); err != nil || c == "" {
			errs = append(errs, fmt.Errorf("bad comm pattern %q", c))
		}
	}
	for _, c := range o.CPUs {
		if c < 0 {
			errs = append(errs, fmt.Errorf("bad CPU %d in the CPU list", c))
		}
	}
	return errors.Join(errs...)
}

// eventKind classifies a printed event name as EventCycles, EventCPUClock
// or "" (anything else). Modifiers (:ppp, :u) and PMU prefixes
// (cpu_core/cycles/) are ignored.
func eventKind(ev string) string {
	base, _, _ := strings.Cut(ev, ":")
	if i := strings.Index(base, "/"); i >= 0 { // pmu/event/
		parts := strings.Split(base, "/")
		if len(parts) >= 2 {
			base = parts[1]
		}
	}
	switch base {
	case "cycles", "cpu-cycles":
		return EventCycles
	case "cpu-clock":
		return EventCPUClock
	}
	return ""
}

// accum accumulates samples.
type accum struct {
	opt        Options
	m          *matcher
	event      string // resolved event kind
	seen       map[string]bool
	seenOrder  []string
	samples    [datapath.NumKinds + 1]int // last: other
	cycles     [datapath.NumKinds + 1]float64
	idle       int
	idleCycles float64
	skipped    int
	noPeriod   int
	other      map[string]float64 // leaf symbol -> cycles, unattributed
	passedLeaf float64            // cycles of samples whose leaf frame passed
	fragmented float64            // cycles of samples under IP fragmentation or reassembly
}

func (a *accum) add(s *sample) error {
	if name := cmp.Or(s.event, "(no event field)"); !a.seen[name] {
		a.seen[name] = true
		a.seenOrder = append(a.seenOrder, name)
	}
	kind := eventKind(s.event)
	if s.event == "" {
		switch {
		case a.opt.Event != "":
			kind = a.opt.Event
		case a.opt.Freq > 0:
			kind = EventCPUClock
		default:
			return lineErrorf(s.line, "the sample names no event: give --event cycles or cpu-clock (or --freq HZ for cpu-clock), or add event to perf script -F")
		}
	}
	if a.event == "" && kind != "" {
		a.event = kind
	}
	if kind == "" || kind != a.event {
		a.skipped++
		return nil
	}
	if a.opt.CPUs != nil {
		if s.cpu < 0 {
			return lineErrorf(s.line, "a CPU filter was given but the samples have no cpu field (add cpu to perf script -F)")
		}
		if !slices.Contains(a.opt.CPUs, s.cpu) {
			a.skipped++
			return nil
		}
	}
	if a.opt.Comms != nil {
		if s.comm == "" {
			return lineErrorf(s.line, "a comm filter was given but the sample has no comm field (add comm to perf script -F)")
		}
		if !matchAny(a.opt.Comms, s.comm) {
			a.skipped++
			return nil
		}
	}
	if a.opt.PIDs != nil {
		if !s.hasPid {
			return lineErrorf(s.line, "a pid filter was given but the sample has no pid or tid field (add pid,tid to perf script -F)")
		}
		if !slices.Contains(a.opt.PIDs, s.pid) && !slices.Contains(a.opt.PIDs, s.tid) {
			a.skipped++
			return nil
		}
	}
	w := s.period
	if !s.hasPeriod {
		a.noPeriod++
		switch {
		case a.opt.Period > 0:
			w = a.opt.Period
		case a.opt.Freq > 0 && kind == EventCPUClock:
			w = 1e9 / a.opt.Freq
		case a.opt.Freq > 0:
			return lineErrorf(s.line, "--freq gives the period of cpu-clock samples only; this sample is %s: add period to perf script -F", s.event)
		default:
			return lineErrorf(s.line, "the sample carries no period: give --period P (event units per sample, perf record -c P) "+
				"or --freq HZ (cpu-clock sampled at HZ per second, perf record -F HZ), or add period to perf script -F")
		}
	}
	if kind == EventCPUClock {
		w *= a.opt.CPUGHz // ns x cycles/ns
	}
	if a.m.isIdle(s, s.frames) {
		a.idle++
		a.idleCycles += w
		return nil
	}
	i := int(datapath.NumKinds) // other
	if st := a.m.attribute(s.frames); st >= 0 {
		i = st
	} else {
		leaf := "[no stack]"
		if len(s.frames) > 0 {
			leaf = s.frames[0].sym
		}
		a.other[leaf] += w
	}
	a.samples[i]++
	a.cycles[i] += w
	if len(s.frames) > 0 && a.m.classify(s.frames[0]).stage == targetPass {
		a.passedLeaf += w
	}
	if slices.ContainsFunc(s.frames, func(f frame) bool { return f.sym == "ip_do_fragment" || f.sym == "ip_defrag" }) {
		a.fragmented += w
	}
	return nil
}

func (a *accum) result() (*Result, error) {
	busy := 0
	total := 0.0
	for i := range a.samples {
		busy += a.samples[i]
		total += a.cycles[i]
	}
	if busy+a.idle == 0 {
		if a.skipped > 0 {
			return nil, fmt.Errorf("no samples of event %q (or of the selected CPUs); events in the file: %s",
				a.want(), strings.Join(a.seenOrder, ", "))
		}
		return nil, errors.New("no samples in the file")
	}
	if busy == 0 || total == 0 {
		return nil, fmt.Errorf("all %d samples are idle: nothing was busy during the recording", a.idle)
	}
	res := &Result{
		Event: a.event, CPUGHz: a.opt.CPUGHz, Packets: a.opt.Packets,
		Samples: busy, IdleSamples: a.idle, SkippedSamples: a.skipped,
		TotalCycles: total, IdleCycles: a.idleCycles, CPPTotal: total / float64(a.opt.Packets),
	}
	for i := range a.samples {
		if a.samples[i] == 0 {
			continue
		}
		name := StageOther
		if i < int(datapath.NumKinds) {
			name = datapath.Kind(i).String()
		}
		share := a.cycles[i] / total
		res.Stages = append(res.Stages, StageShare{
			Stage: name, Samples: a.samples[i], Cycles: a.cycles[i], Share: share,
			CPP: total / float64(a.opt.Packets) * share, // formula III.1
		})
	}
	res.UnattributedShare = a.cycles[datapath.NumKinds] / total
	res.PassedLeafShare = a.passedLeaf / total
	res.TopUnattributed = topSymbols(a.other, total, 10)
	if a.noPeriod > 0 {
		how := fmt.Sprintf("--period %g", a.opt.Period)
		if a.opt.Freq > 0 {
			how = fmt.Sprintf("--freq %g (%g ns each)", a.opt.Freq, 1e9/a.opt.Freq)
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf(
			"%d samples carry no period and were weighed by %s: cycles and CPP are only as right as that weight", a.noPeriod, how))
	}
	if f := a.fragmented / total; f >= 0.001 {
		// the simulator charges these per fragmented packet besides the
		// stages (network.DefaultFragmentCycles): a profile holding them
		// would pay them twice on a fragmenting path
		res.Warnings = append(res.Warnings, fmt.Sprintf("%.1f%% of the busy cycles are under ip_do_fragment or ip_defrag (IP fragmentation and reassembly), "+
			"priced here in the stages that hold them (ip_forward, ip_rcv): to simulate a fragmenting path with this profile, "+
			"set calibration.fragment_cycles = 0 and calibration.reassemble_cycles = 0, or they count twice", 100*f))
	}
	if a.skipped > 0 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("%d samples skipped (other events, or outside the CPU, comm or pid filters); events in the file: %s",
			a.skipped, strings.Join(a.seenOrder, ", ")))
	}
	return res, nil
}

func (a *accum) want() string {
	if a.event != "" {
		return a.event
	}
	return EventCycles + " or " + EventCPUClock
}

// topSymbols returns the n heaviest symbols, ties broken by name so the
// result does not depend on map order.
func topSymbols(m map[string]float64, total float64, n int) []SymbolShare {
	out := make([]SymbolShare, 0, len(m))
	for s, c := range m {
		out = append(out, SymbolShare{s, c / total})
	}
	slices.SortFunc(out, func(x, y SymbolShare) int {
		if x.Share != y.Share {
			if x.Share > y.Share {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Symbol, y.Symbol)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}
