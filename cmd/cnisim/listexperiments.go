package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cnisim/cnisim/experiments/catalog"
)

func init() { listers["experiments"] = listExperiments }

// listExperiments prints the registry: name, scenario files and title.
func listExperiments(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "EXPERIMENT\tNEEDS\tWHAT")
	for _, e := range catalog.All() {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Name, strings.Join(e.Needs, ","), e.Title)
	}
	return tw.Flush()
}
