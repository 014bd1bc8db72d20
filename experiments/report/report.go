package report

import "fmt"

// Document is a whole report.
type Document struct {
	Title    string
	Intro    []string // paragraphs
	Sections []Section
}

// Section is one experiment.
type Section struct {
	Name    string // the experiment's name, also its output directory
	Title   string
	About   string // what it shows
	Trust   string // how far its numbers carry beyond the model
	Command string // how to rerun it alone
	// Skipped, if set, says why the experiment did not run (a workload
	// the simulator does not have yet); nothing else is shown.
	Skipped string
	Err     string // the run failed
	Figures []Image
	Tables  []Table
	Checks  []Check
	Notes   []string
	Files   []string // other files in the section's directory worth linking
}

// Image is a figure file relative to the report's directory.
type Image struct {
	File    string // PNG shown inline
	Alt     string // SVG or other renderings linked beside it
	Caption string
}

// Table is a table of predictions.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// Status grades a comparison with a source.
type Status int

// Statuses: an ordering that holds or not (or whose 95% intervals overlap,
// so the replications do not resolve it), a number close to the source's
// or not, or a value given for information only.
const (
	Info Status = iota
	Pass
	Fail
	Close
	Off
	Unresolved
)

var statusText = [...]string{Info: "info", Pass: "PASS", Fail: "FAIL", Close: "close", Off: "off", Unresolved: "not resolved"}

func (s Status) String() string {
	if int(s) < len(statusText) {
		return statusText[s]
	}
	return "?"
}

// Kind says what sort of evidence a check is, printed beside it so a reader
// does not take an echo of the calibration for a prediction.
type Kind int

// Kinds of check.
const (
	// Plain is a check of no stated kind (for information).
	Plain Kind = iota
	// Ordering: the source ranks configurations; PASS needs the 95%
	// intervals of the two sides to separate.
	Ordering
	// Magnitude: the source gives a number; close means within Tolerance.
	Magnitude
	// Echo: the source's number is one the profile or model was built
	// from, so agreement shows the arithmetic, not a prediction.
	Echo
)

// Check is one statement of a source set against the simulation.
type Check struct {
	Claim      string // what is compared, e.g. "intra-host: Cilium has the highest TCP throughput"
	Source     string // where the source says it: the seed document and its section
	SourceVal  string // the source's value, typed in from the source
	Predicted  string // the simulation's value
	Difference string // predicted - source, where numbers
	Status     Status
	Kind       Kind
	Tolerance  float64 // Magnitude and Echo: the relative tolerance of "close"
	Reps       int     // Ordering: the fewest replications behind the intervals compared
}

// KindText names the check's kind: "ordering", "magnitude within 10%",
// "echo of calibration input".
func (c Check) KindText() string {
	switch c.Kind {
	case Ordering:
		return "ordering"
	case Magnitude:
		return fmt.Sprintf("magnitude within %g%%", 100*c.Tolerance)
	case Echo:
		return "echo of calibration input"
	}
	return "info"
}

// StatusText is the status as printed: an unresolved ordering says at how
// many replications.
func (c Check) StatusText() string {
	if c.Status == Unresolved {
		return fmt.Sprintf("not resolved at %d replications", c.Reps)
	}
	return c.Status.String()
}
