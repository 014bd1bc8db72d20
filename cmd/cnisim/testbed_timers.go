package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cnisim/cnisim/testbed"
)

const testbedTimersSynopsis = "testbed timers --out DIR [--tries N] [--segments N]"

// The timers benchmark: when this kernel's TCP loss probe and
// retransmission timeout fire, against the model's tcp.hz
// (testbed/timers.go).
func init() { testbedSubs["timers"] = testbedTimers }

func testbedTimers(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("testbed timers", testbedTimersSynopsis, stderr)
	out := fs.String("out", "", "output `DIR` (required): timers.json and timers.md")
	tries := fs.Int("tries", 40, fmt.Sprintf("flights to lose, about 0.3 s each (1..%d)", testbed.TimersMaxTries))
	segments := fs.Int("segments", testbed.TimersFlight, fmt.Sprintf("full segments a flight (1..%d; 1: the probe waits 2 SRTT + the minimum RTO)", testbed.TimersMaxFlight))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 0, 0, "no arguments"); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out DIR is required")
	}
	o := testbed.TimersOptions{Tries: *tries, Segments: *segments, Log: stderr,
		Command: strings.TrimSpace("cnisim testbed timers " + strings.Join(args, " "))}
	if err := o.Validate(); err != nil {
		return usagef("--%v", err)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	r, err := testbed.MeasureTimers(ctx, o)
	if err != nil {
		return signalledErr(ctx, err)
	}
	if err := r.Save(*out); err != nil {
		return err
	}
	var table strings.Builder
	if err := testbed.WriteTimersTable(&table, r); err != nil {
		return err
	}
	if err := writeWhole(filepath.Join(*out, "timers.md"), []byte(table.String())); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, table.String())
	return err
}
