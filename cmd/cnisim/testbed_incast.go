package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/testbed"
)

const testbedIncastSynopsis = "testbed incast run --out DIR [--senders LIST] [--buffers LIST] [--rate-mbit R] [--bytes N] [--queries N] [--gap D] [--burst-frames N]\n       cnisim testbed incast compare DIR [--links switch|tbf] [--set KEY=VALUE]... [--out FILE.md] [--scenarios DIR]"

// The incast benchmark: a partition-aggregate TCP incast through a shaped,
// small-buffer bridge port on this kernel, and the simulator's prediction
// of the same configuration (testbed/incast.go).
func init() { testbedSubs["incast"] = testbedIncast }

func testbedIncast(args []string, stdout, stderr io.Writer) error {
	return dispatch("testbed incast", testbedIncastSynopsis, args, stderr,
		subcommand{"run", func(a []string) error { return testbedIncastRun(a, stderr) }},
		subcommand{"compare", func(a []string) error { return testbedIncastCompare(a, stdout, stderr) }})
}

func testbedIncastRun(args []string, stderr io.Writer) error {
	fs := newFlags("testbed incast run", testbedIncastSynopsis, stderr)
	def := testbed.DefaultIncastOptions()
	out := fs.String("out", "", "output `DIR` (required): incast.json")
	senders := fs.String("senders", joinInts(def.Senders), fmt.Sprintf("comma-separated worker counts, a configuration each (1..%d)", testbed.IncastMaxSenders))
	buffers := fs.String("buffers", joinInts(def.Buffers), fmt.Sprintf("comma-separated bottleneck buffers in bytes, a configuration each with every sender count (%d..%d)", testbed.IncastMinBuffer, testbed.IncastMaxBuffer))
	rate := fs.Float64("rate-mbit", def.RateMbit, fmt.Sprintf("every link's rate in Mbit/s (%g..%g)", float64(testbed.IncastMinRateMbit), float64(testbed.IncastMaxRateMbit)))
	size := fs.Int64("bytes", def.Bytes, fmt.Sprintf("each worker's response in bytes (1..%d)", testbed.IncastMaxBytes))
	queries := fs.Int("queries", def.Queries, fmt.Sprintf("queries per configuration (1..%d)", testbed.IncastMaxQueries))
	gap := fs.Duration("gap", def.Gap, fmt.Sprintf("idle time between queries (0s..%v)", testbed.IncastMaxGap))
	burst := fs.Int("burst-frames", def.BurstFrames, fmt.Sprintf("every tbf's bucket in full-sized frames (1..%d; 1: closest to a store-and-forward port)", testbed.IncastMaxBurst))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 0, 0, "no arguments"); err != nil {
		return err
	}
	if *out == "" {
		return usagef("--out DIR is required")
	}
	o := def
	var err error
	if o.Senders, err = parseIntList(*senders, 1, testbed.IncastMaxSenders); err != nil {
		return usagef("--senders %q: %v", *senders, err)
	}
	bs, err := parseIntList(*buffers, testbed.IncastMinBuffer, testbed.IncastMaxBuffer)
	if err != nil {
		return usagef("--buffers %q: %v", *buffers, err)
	}
	o.Buffers = make([]int64, len(bs))
	for i, b := range bs {
		o.Buffers[i] = int64(b)
	}
	o.RateMbit, o.Bytes, o.Queries, o.Gap, o.BurstFrames = *rate, *size, *queries, *gap, *burst
	if err := o.Validate(); err != nil {
		return usagef("--%v", err)
	}
	o.Log = stderr
	o.Command = strings.TrimSpace("cnisim testbed incast run " + strings.Join(args, " "))
	o.Tools = map[string]string{"cnisim": version}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	ctx, stop := signalContext()
	defer stop()
	r, err := testbed.MeasureIncast(ctx, o)
	if err != nil {
		return signalledErr(ctx, err)
	}
	if err := r.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s (%d configurations, idle handshake %.0f us; load average %s at the start, %s at the end)\n",
		filepath.Join(*out, testbed.IncastFile), len(r.Configs), r.IdleRTTUS, r.Loadavg, r.LoadavgEnd)
	return nil
}

func testbedIncastCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("testbed incast compare", testbedIncastSynopsis, stderr)
	out := fs.String("out", "", "also write the table to `FILE.md`")
	scenarios := fs.String("scenarios", "", "also write each configuration's equivalent scenario to `DIR`/incast-SxB.toml (before --set, which a comment in each repeats), to run with cnisim run")
	var sets []string
	fs.StringArrayVar(&sets, "set", nil, "set a scenario `KEY=VALUE` in every configuration's simulation (repeatable; tcp.rto_from_head=true, say)")
	links := fs.String("links", string(testbed.IncastSwitch), "the simulated links: `switch` (store-and-forward NICs and switch port) or tbf (tbf links with the run's bucket, as the testbed is built)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 1, 1, "the run DIR"); err != nil {
		return err
	}
	if !slices.Contains(testbed.IncastLinkModels, testbed.IncastLinks(*links)) {
		return usagef("--links %q: want one of %v", *links, testbed.IncastLinkModels)
	}
	var overrides []scenario.Override
	for _, s := range sets {
		o, err := scenario.ParseSet(s)
		if err != nil {
			return usagef("%v", err)
		}
		overrides = append(overrides, o)
	}
	r, err := testbed.LoadIncast(fs.Arg(0))
	if err != nil {
		return usagef("%v", err)
	}
	ctx, stop := signalContext()
	defer stop()
	rows, err := testbed.CompareIncast(ctx, r, testbed.IncastLinks(*links), overrides...)
	if err != nil {
		return err
	}
	table := testbed.IncastTable(rows)
	head := fmt.Sprintf("Incast of %s (%s, kernel %s, %s): %g Mbit/s, %d bytes per worker, idle handshake %.0f us (median); simulated with link_delay %s (a quarter of it) and %s links.\n\n",
		filepath.Join(fs.Arg(0), testbed.IncastFile), r.Date, r.Kernel, r.CPUModel, r.RateMbit, r.Bytes, r.IdleRTTUS,
		scenario.FormatDuration(r.LinkDelay()), *links)
	if len(sets) > 0 {
		head = strings.TrimSuffix(head, ".\n\n") + ", --set " + strings.Join(sets, " --set ") + ".\n\n"
	}
	if _, err := io.WriteString(stdout, head+table); err != nil {
		return err
	}
	if *scenarios != "" {
		if err := os.MkdirAll(*scenarios, 0o755); err != nil {
			return err
		}
		for _, c := range r.Configs {
			name := filepath.Join(*scenarios, fmt.Sprintf("incast-%dx%d.toml", c.Senders, c.BufferBytes))
			text := testbed.IncastScenario(r, c, testbed.IncastLinks(*links))
			if len(sets) > 0 { // the file is before --set: say what to pass to run
				text = "# compared with --set " + strings.Join(sets, " --set ") + ": pass the same to cnisim run\n" + text
			}
			if err := writeWhole(name, []byte(text)); err != nil {
				return err
			}
		}
	}
	if *out != "" {
		return writeWhole(*out, []byte(head+table))
	}
	return nil
}

// parseIntList reads comma-separated integers in lo..hi.
func parseIntList(s string, lo, hi int) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < lo || n > hi {
			return nil, fmt.Errorf("%q is not an integer %d..%d", f, lo, hi)
		}
		out = append(out, n)
	}
	return out, nil
}
