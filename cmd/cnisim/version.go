package main

import (
	"fmt"
	"io"
	"runtime"
)

func init() {
	register(&command{name: "version", summary: "print the version", run: runVersion})
}

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("version", "version", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 0, 0, "no arguments"); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "cnisim %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
