package scenario

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// Options shape Load.
type Options struct {
	// Overrides are applied in order after the file (--set, --seed, --reps).
	// An override of a swept key pins it: the key leaves the sweep.
	Overrides []Override
	// Validate, if set, checks what this package cannot: plugin, mode and
	// profile names (the model layer). It runs on every sweep point and may
	// return a *FieldError (Where empty) to have the key located.
	Validate func(*Scenario) error
	// MaxPoints refuses sweeps with more points (0: no limit).
	MaxPoints int
	// PathsFromFile resolves the relative file paths the scenario file
	// gives (cni.plugin, each layer of calibration.profile,
	// workload.flow_sizes, and their sweep values) against the file's directory; overrides stay relative to the
	// working directory. Off for text that is not a file the user wrote
	// (a shard's resolved scenario, whose paths are already resolved).
	PathsFromFile bool
}

// Plan is a loaded scenario ready to run: the base scenario (file plus
// overrides) and its sweep axes.
type Plan struct {
	File string
	Base *Scenario // Base.Sweep holds the effective axes' canonical values
	Axes []Axis    // sorted by key
	n    int
}

// Axis is one swept key and its values, canonical (as Resolved writes
// them), in file order.
type Axis struct {
	Key    string
	Values []any
}

// Param is one coordinate of a sweep point.
type Param struct {
	Key   string
	Value any // int64, uint64, float64, bool, string (durations as "300ms")
}

// Point is one combination of sweep values.
type Point struct {
	Index    int
	Params   []Param // in axis order
	Scenario *Scenario
}

// unsweepable keys are the run's identity, reported once per results file.
var unsweepable = []string{"name", "seed", "replications"}

// Load decodes a scenario file, applies overrides, expands and checks the
// sweep, and runs the Validate hook on every point. Errors are bad input.
func Load(file string, data []byte, opt Options) (*Plan, error) {
	d, err := decode(file, data)
	if err != nil {
		return nil, err
	}
	s := d.s
	if opt.PathsFromFile {
		relativeTo(filepath.Dir(file), s)
	}
	overridden := map[string]string{}
	for _, o := range opt.Overrides {
		if err := s.assign(o.Key, o.Value); err != nil {
			return nil, &FieldError{Where: o.Source, Key: o.Key, Value: Format(o.Value), Msg: err.Error()}
		}
		overridden[o.Key] = o.Source
		delete(s.Sweep, o.Key)
	}
	if err := d.locate(s.validate(), overridden).err(); err != nil {
		return nil, err
	}
	p := &Plan{File: file, Base: s}
	if err := p.axes(d); err != nil {
		return nil, err
	}
	if p.n > MaxPoints {
		return nil, &FieldError{Where: d.where(d.lines.line(sweepTable)),
			Msg: fmt.Sprintf("the sweep has %s points, more than the bound %d (even with --yes)", p.count(), MaxPoints)}
	}
	if opt.MaxPoints > 0 && p.n > opt.MaxPoints {
		return nil, &FieldError{Where: d.where(d.lines.line(sweepTable)),
			Msg: fmt.Sprintf("the sweep has %s points, more than %d", p.count(), opt.MaxPoints), Cause: ErrTooManyPoints}
	}
	for i := range p.n {
		pt := p.Point(i)
		errs := pt.Scenario.validate()
		if len(errs) == 0 && opt.Validate != nil {
			if err := callHook(opt.Validate, pt.Scenario); err != nil {
				errs = hookErr(err, pt.Scenario)
			}
		}
		if len(errs) == 0 {
			continue
		}
		for _, e := range errs { // a swept key is found at its [sweep] entry
			if _, swept := p.Base.Sweep[e.Key]; swept && e.Where == "" {
				e.Line = d.lines.line(sweepTable, e.Key)
				e.Where = d.where(e.Line)
			}
		}
		d.locate(errs, overridden)
		if len(p.Axes) > 0 {
			for _, e := range errs {
				e.Msg += " (at sweep point " + FormatParams(pt.Params) + ")"
				if e.Line == 0 && e.Where == d.file {
					e.Line = d.lines.line(sweepTable)
					e.Where = d.where(e.Line)
				}
			}
		}
		return nil, errs.err()
	}
	return p, nil
}

// callHook runs the model layer's check. A panic there is a cnisim bug,
// but the input provoked it: it is reported against the input (exit 2)
// rather than crashing the command with a stack trace.
func callHook(h func(*Scenario) error, s *Scenario) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the model layer failed on this input (a cnisim bug: please report it with the file): %v", r)
		}
	}()
	return h(s)
}

// hookErr turns a Validate hook's error into a field error. The hook
// names the key (a *FieldError); Load fills in its value and locates its
// line or --set flag. Any other error is reported as it is.
func hookErr(err error, s *Scenario) errList {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return errList{{Msg: err.Error()}}
	}
	if fe.Value == "" && fe.Key != "" {
		if v, ok := s.value(fe.Key); ok {
			fe.Value = Format(v)
		}
	}
	return errList{fe}
}

// axes checks the sweep's keys and values and stores canonical values.
func (p *Plan) axes(d *decoder) error {
	var errs errList
	bad := func(key string, v any, msg string) {
		n := d.lines.line(sweepTable, key)
		val := ""
		if v != nil {
			val = Format(v)
		}
		errs = append(errs, &FieldError{Where: d.where(n), Line: n, Key: "sweep." + quoteKey(key), Value: val, Msg: msg})
	}
	p.n = 1
	canon := map[string][]any{}
	for _, key := range slices.Sorted(maps.Keys(p.Base.Sweep)) {
		vals := p.Base.Sweep[key]
		if slices.Contains(unsweepable, key) {
			bad(key, nil, fmt.Sprintf("%s cannot be swept (replications of a point already vary the seed)", key))
			continue
		}
		if err := checkSettable(key); err != nil {
			bad(key, nil, err.Error())
			continue
		}
		if len(vals) == 0 {
			bad(key, nil, "want at least one value")
			continue
		}
		ax := Axis{Key: key}
		seen := map[any]bool{}
		probe := p.Base.point()
		for _, v := range vals {
			if err := probe.assign(key, v); err != nil {
				bad(key, v, err.Error())
				continue
			}
			c, _ := probe.value(key)
			if seen[c] {
				bad(key, v, "value repeated")
				continue
			}
			seen[c] = true
			ax.Values = append(ax.Values, c)
		}
		p.Axes = append(p.Axes, ax)
		canon[key] = ax.Values
		p.n = satMul(p.n, len(ax.Values))
	}
	p.Base.Sweep = canon
	return errs.err()
}

// pointsCap is where the point count saturates: far above MaxPoints,
// far below overflow.
const pointsCap = 1 << 50

// satMul multiplies point counts, saturating at pointsCap so that no
// sweep, however many axes and values, wraps the count.
func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > pointsCap/b {
		return pointsCap
	}
	return a * b
}

func (p *Plan) count() string {
	if p.n >= pointsCap {
		return "over 10^15"
	}
	return fmt.Sprint(p.n)
}

// Len returns the number of sweep points (1 without a sweep).
func (p *Plan) Len() int { return p.n }

// Point returns point i: the first axis varies slowest, the last fastest,
// like nested loops over the keys in sorted order.
func (p *Plan) Point(i int) Point {
	pt := Point{Index: i, Scenario: p.Base.point()}
	pt.Params = make([]Param, len(p.Axes))
	rest := i
	for a := len(p.Axes) - 1; a >= 0; a-- {
		ax := p.Axes[a]
		v := ax.Values[rest%len(ax.Values)]
		rest /= len(ax.Values)
		if err := pt.Scenario.assign(ax.Key, toTOML(v)); err != nil {
			panic("scenario: canonical sweep value rejected: " + err.Error())
		}
		pt.Params[a] = Param{Key: ax.Key, Value: v}
	}
	return pt
}

// toTOML turns a canonical value back into what the decoder yields.
func toTOML(v any) any {
	if u, ok := v.(uint64); ok {
		return int64(u)
	}
	return v
}

// FormatParams renders params as {cluster.mtu=1500, cni.mode="vxlan"}.
func FormatParams(ps []Param) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.Key + "=" + Format(p.Value)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// BlamesKey reports whether err is about a scenario key (a *FieldError
// naming one): a model's run-time error about the input ("the download did
// not complete within duration"), which callers report as bad input rather
// than as a failure of the simulator.
func BlamesKey(err error) bool {
	var fe *FieldError
	return errors.As(err, &fe) && fe.Key != ""
}

// Locate finds a sweep value: the index of key's axis and of v among its
// canonical values (v is read as the sweep's own values are, so 3 and 3.0,
// "1ms" and "1000us" name the same value). It names what is allowed when
// key is not swept or v is not one of its values.
func (p *Plan) Locate(key string, v any) (axis, value int, err error) {
	axis = slices.IndexFunc(p.Axes, func(a Axis) bool { return a.Key == key })
	if axis < 0 {
		swept := make([]string, len(p.Axes))
		for i, a := range p.Axes {
			swept[i] = a.Key
		}
		allowed := "the scenario sweeps nothing"
		if len(swept) > 0 {
			allowed = "swept: " + strings.Join(swept, ", ")
		}
		return -1, -1, &FieldError{Key: key, Msg: "not a swept key (" + allowed + ")"}
	}
	ax := p.Axes[axis]
	probe := p.Base.point()
	if err := probe.assign(key, v); err != nil {
		return -1, -1, &FieldError{Key: key, Value: Format(v), Msg: err.Error()}
	}
	c, _ := probe.value(key)
	value = slices.Index(ax.Values, c)
	if value < 0 {
		vals := make([]string, len(ax.Values))
		for i, x := range ax.Values {
			vals[i] = Format(x)
		}
		return -1, -1, &FieldError{Key: key, Value: Format(v), Msg: "not one of the swept values (" + strings.Join(vals, ", ") + ")"}
	}
	return axis, value, nil
}

// Index returns the point whose value index on each axis is idx[axis]
// (Point's order: the first axis varies slowest).
func (p *Plan) Index(idx []int) int {
	i := 0
	for a, ax := range p.Axes {
		i = i*len(ax.Values) + idx[a]
	}
	return i
}

// Coordinates returns point i's value index on each axis (Index's inverse).
func (p *Plan) Coordinates(i int) []int {
	idx := make([]int, len(p.Axes))
	for a := len(p.Axes) - 1; a >= 0; a-- {
		n := len(p.Axes[a].Values)
		idx[a] = i % n
		i /= n
	}
	return idx
}
