package perf

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable writes the result for a terminal: the totals, one row per
// stage, the heaviest unattributed symbols and any warnings.
func (r *Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(w, "input sha256 %s\nevent %s at %g GHz, %d packets, mapping %s\n", r.InputSHA256, r.Event, r.CPUGHz, r.Packets, r.Mapping)
	fmt.Fprintf(w, "samples: %d busy, %d idle (left out), %d skipped; busy cycles %.6g; CPP total %.6g; unattributed %.1f%%\n",
		r.Samples, r.IdleSamples, r.SkippedSamples, r.TotalCycles, r.CPPTotal, 100*r.UnattributedShare)
	fmt.Fprintf(w, "leaf passed to its caller (irq-enable skid, tunnel helpers): %.1f%% of busy cycles\n\n", 100*r.PassedLeafShare)
	fmt.Fprintln(tw, "stage\tsamples\tshare %\tCPP\t")
	for _, s := range r.Stages {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.1f\t\n", s.Stage, s.Samples, 100*s.Share, s.CPP)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.TopUnattributed) > 0 {
		fmt.Fprintln(w, "\nheaviest unattributed leaf symbols (extend the map with --map):")
		for _, s := range r.TopUnattributed {
			fmt.Fprintf(w, "  %6.2f%%  %s\n", 100*s.Share, s.Symbol)
		}
	}
	for _, warn := range r.Warnings {
		if _, err := fmt.Fprintf(w, "warning: %s\n", warn); err != nil {
			return err
		}
	}
	return nil
}
