// Command cnisim simulates Kubernetes pod networks: CNI datapaths, the TCP
// and request traffic that crosses them, and the pod launch pipeline.
//
// Exit codes: 0 success, 1 run failure, 2 bad usage or bad input, 130 or
// 143 a run stopped by SIGINT or SIGTERM (128 + the signal's number).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/cnisim/cnisim/internal/hugepage"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// command is one subcommand. run returns a *usageError for bad usage or
// bad input (exit 2), any other error for a failed run (exit 1).
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]*command{}

func register(c *command) { commands[c.name] = c }

// usageError is bad usage or bad input: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

func main() {
	// a large run's heap on huge pages: fewer TLB misses, same results
	hugepage.Start(hugepage.Interval)
	os.Exit(runMain(os.Args[1:], os.Stdout, os.Stderr))
}

// runMain runs the CLI and returns the exit code; tests call it directly.
func runMain(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		printUsage(stderr)
		return 2
	}
	name := args[0]
	switch {
	case name == "--version":
		name, args = "version", []string{"version"}
	case (name == "help" || name == "-h" || name == "--help") && len(args) > 1:
		// cnisim help CMD is CMD --help.
		name, args = args[1], []string{args[1], "--help"}
	case name == "-h" || name == "--help" || name == "help":
		printUsage(stdout)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "cnisim: unknown command %q\n\n", name)
		printUsage(stderr)
		return 2
	}
	usageOut := stderr
	if wantsHelp(args[1:]) {
		usageOut = stdout // asked-for help is output, not a diagnostic
	}
	err := c.run(args[1:], stdout, usageOut)
	return exitCode(err, name, stderr)
}

// wantsHelp reports whether args ask for help (-h or --help before a "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help":
			return true
		}
	}
	return false
}

func exitCode(err error, name string, stderr io.Writer) int {
	var ue *usageError
	var sg *signalled
	switch {
	case err == nil, errors.Is(err, pflag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "cnisim %s: %s\n", name, ue.msg)
		fmt.Fprintf(stderr, "Run 'cnisim %s --help' for usage.\n", name)
		return 2
	case errors.As(err, &sg):
		fmt.Fprintf(stderr, "cnisim %s: %v\n", name, err)
		return sg.exitCode()
	default:
		fmt.Fprintf(stderr, "cnisim %s: %v\n", name, err)
		return 1
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "cnisim simulates Kubernetes pod networks (CNI datapaths, TCP, pod launch).")
	fmt.Fprintln(w, "\nUsage: cnisim COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'cnisim COMMAND --help' for a command's flags.")
}

// newFlags returns a flag set for a subcommand whose errors come back to
// the caller (never os.Exit) and whose --help prints synopsis and flags.
func newFlags(name, synopsis string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: cnisim %s\n", synopsis)
		if fs.HasFlags() {
			fmt.Fprintf(stderr, "\nFlags:\n%s", fs.FlagUsages())
		}
	}
	return fs
}

// parseFlags parses args and maps a flag error to a usage error; --help
// yields pflag.ErrHelp (exit 0).
func parseFlags(fs *pflag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard) // we print the one-line error ourselves
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		return err // pflag has already printed fs.Usage
	}
	if err != nil {
		return usagef("%v", err)
	}
	return nil
}

// wantArgs checks the number of positional arguments.
func wantArgs(fs *pflag.FlagSet, min, max int, what string) error {
	n := fs.NArg()
	if n < min || (max >= 0 && n > max) {
		if n == 0 {
			return usagef("missing %s", what)
		}
		return usagef("unexpected arguments: %s (want %s)", strings.Join(fs.Args(), " "), what)
	}
	return nil
}

// subcommand is one of a command's subcommands and what runs it on the
// arguments after its name.
type subcommand struct {
	name string
	run  func(args []string) error
}

// dispatch runs the subcommand args[0] names of command cmd ("testbed
// aead"): none or an unknown one is a usage error naming the valid ones;
// -h, --help and help print the synopsis.
func dispatch(cmd, synopsis string, args []string, stderr io.Writer, subs ...subcommand) error {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	if len(args) == 0 {
		last := len(names) - 1
		return usagef("%s: missing subcommand (%s or %s)", cmd, strings.Join(names[:last], ", "), names[last])
	}
	for _, s := range subs {
		if args[0] == s.name {
			return s.run(args[1:])
		}
	}
	switch args[0] {
	case "-h", "--help", "help":
		fmt.Fprintf(stderr, "Usage: cnisim %s\n", synopsis)
		return nil
	}
	return usagef("%s: unknown subcommand %q (valid: %s)", cmd, args[0], strings.Join(names, ", "))
}
