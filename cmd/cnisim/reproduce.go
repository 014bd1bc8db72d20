package main

import (
	"fmt"
	"io"
)

func init() {
	register(&command{name: "reproduce", summary: "run every experiment, write plots and REPORT.md", run: runReproduce})
}

func runReproduce(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("reproduce", "reproduce [--out DIR] [--quick] [--parallel N]", stderr)
	fs.String("out", "out", "directory for results, plots and REPORT.md")
	fs.Bool("quick", false, "short runs with few replications")
	fs.Int("parallel", 0, "replications run at once (0: all cores)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 0, 0, "no arguments"); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "cnisim reproduce: not yet available (the experiments land in a later issue).")
	return nil
}
