package report

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

// Statuses: an ordering that holds or not, a number close to the source's
// or not, or a value given for information only.
const (
	Info Status = iota
	Pass
	Fail
	Close
	Off
)

var statusText = [...]string{Info: "info", Pass: "PASS", Fail: "FAIL", Close: "close", Off: "off"}

func (s Status) String() string {
	if int(s) < len(statusText) {
		return statusText[s]
	}
	return "?"
}

// Check is one statement of a source set against the simulation.
type Check struct {
	Claim      string // what is compared, e.g. "intra-host: Cilium has the highest TCP throughput"
	Source     string // where the source says it, e.g. "paper §III.B, Fig. 3(a)"
	SourceVal  string // the source's value, typed in from the source
	Predicted  string // the simulation's value
	Difference string // predicted - source, where numbers
	Status     Status
}
