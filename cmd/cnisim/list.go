package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
)

// A listing is one catalogue of `cnisim list WHAT`: rows under a header,
// printed as an aligned table (--format table) or as a JSON array of
// objects keyed by the lower-case header (--format json), so scripts need
// not parse columns.
type listing struct {
	header []string
	rows   [][]string
	// table, if set, is the table format's own rendering (plugins: the
	// paper's Table I layout).
	table func(w io.Writer) error
}

// listers build one catalogue each.
var listers = map[string]func() (listing, error){
	"stages":  listStages,
	"plugins": listPlugins,
}

// listFormats are the values of list --format.
var listFormats = []string{"table", "json"}

func init() {
	register(&command{name: "list", summary: "list plugins, experiments, profiles, stages, devices, scenario keys or metrics", run: runList})
}

func listerNames() string { return strings.Join(listerList(), ", ") }

func listerList() []string {
	names := make([]string, 0, len(listers))
	for n := range listers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func runList(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("list", "list WHAT [--format table|json]   (WHAT: "+listerNames()+")\n\n"+
		"Examples:\n  cnisim list keys                  every scenario key: type, default, meaning\n"+
		"  cnisim list metrics --format json  the metrics results carry, for scripts", stderr)
	format := fs.StringP("format", "f", "table", "output format: table or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 1, 1, "one of: "+listerNames()); err != nil {
		return err
	}
	if !slices.Contains(listFormats, *format) {
		return usagef("--format %q: allowed values are %s", *format, strings.Join(listFormats, ", "))
	}
	build, ok := listers[fs.Arg(0)]
	if !ok {
		return usagef("unknown catalogue %q (valid: %s)", fs.Arg(0), listerNames())
	}
	l, err := build()
	if err != nil {
		return err
	}
	if *format == "json" {
		return l.writeJSON(stdout)
	}
	if l.table != nil {
		return l.table(stdout)
	}
	return l.writeTable(stdout)
}

// writeTable aligns the columns; the header is upper case.
func (l listing) writeTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := make([]string, len(l.header))
	for i, h := range l.header {
		head[i] = strings.ToUpper(strings.ReplaceAll(h, " ", "_"))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range l.rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// writeJSON writes an array of objects, keys in header order (lower case,
// spaces as underscores), one object per line.
func (l listing) writeJSON(w io.Writer) error {
	var b strings.Builder
	b.WriteString("[")
	for i, r := range l.rows {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  {")
		for j, h := range l.header {
			if j > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(strings.ReplaceAll(strings.ToLower(h), " ", "_"))
			v, _ := json.Marshal(r[j])
			b.Write(k)
			b.WriteString(": ")
			b.Write(v)
		}
		b.WriteString("}")
	}
	if len(l.rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func listStages() (listing, error) {
	l := listing{header: []string{"stage", "description"}}
	for _, k := range datapath.Kinds() {
		l.rows = append(l.rows, []string{k.String(), k.Help()})
	}
	return l, nil
}

// listPlugins is the paper's Table I, generated from the model data.
func listPlugins() (listing, error) {
	rows, err := cni.Table()
	if err != nil {
		return listing{}, err
	}
	l := listing{header: []string{"plugin", "default mode", "modes", "network model", "tunnels", "policy", "features"},
		table: func(w io.Writer) error { return cni.FormatTable(w, rows) }}
	for _, r := range rows {
		l.rows = append(l.rows, []string{r.Plugin, r.DefaultMode, strings.Join(r.Modes, ","), r.NetworkModel, r.Tunnels, r.Policy, r.Features})
	}
	return l, nil
}
