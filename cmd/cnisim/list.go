package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/cnisim/cnisim/models/cni"
	"github.com/cnisim/cnisim/models/datapath"
)

// listers print one catalogue each for `cnisim list WHAT`.
var listers = map[string]func(w io.Writer) error{
	"stages":  listStages,
	"plugins": listPlugins,
}

func init() {
	register(&command{name: "list", summary: "list plugins, experiments, profiles or stages", run: runList})
}

func listerNames() string {
	names := make([]string, 0, len(listers))
	for n := range listers {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

func runList(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("list", "list WHAT   (WHAT: "+listerNames()+")", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 1, 1, "one of: "+listerNames()); err != nil {
		return err
	}
	l, ok := listers[fs.Arg(0)]
	if !ok {
		return usagef("unknown catalogue %q (valid: %s)", fs.Arg(0), listerNames())
	}
	return l(stdout)
}

func listStages(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tDESCRIPTION")
	for _, k := range datapath.Kinds() {
		fmt.Fprintf(tw, "%s\t%s\n", k, k.Help())
	}
	return tw.Flush()
}

// listPlugins prints the paper's Table I, generated from the model data.
func listPlugins(w io.Writer) error {
	rows, err := cni.Table()
	if err != nil {
		return err
	}
	return cni.FormatTable(w, rows)
}
