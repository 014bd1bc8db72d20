package main

import (
	"strings"

	"github.com/cnisim/cnisim/experiments/catalog"
)

func init() { listers["experiments"] = listExperiments }

// listExperiments prints the registry: name, scenario files and title.
func listExperiments() (listing, error) {
	l := listing{header: []string{"experiment", "needs", "what"}}
	for _, e := range catalog.All() {
		l.rows = append(l.rows, []string{e.Name, strings.Join(e.Needs, ","), e.Title})
	}
	return l, nil
}
