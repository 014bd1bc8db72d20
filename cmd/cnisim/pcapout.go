package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// pcapDir is where run --out writes the packet captures of [trace].
const pcapDir = "pcap"

// addPcap keeps a unit's packet captures, if it has them: one file per
// node, pcap/node<N>.pcap, under a directory per sweep point when the
// scenario sweeps (pcap/<key=value,...>/node<N>.pcap).
func (o *repOut) addPcap(u run.UnitResult) {
	if len(u.Sample.Pcap) == 0 {
		o.skipped += u.Sample.PcapSkipped
		return
	}
	nodes := make([]int, 0, len(u.Sample.Pcap))
	for n := range u.Sample.Pcap {
		nodes = append(nodes, n)
	}
	slices.Sort(nodes)
	dir := pcapDir
	if ps := o.plan.Point(u.Point).Params; len(ps) > 0 {
		dir += "/" + pathSafe(strings.Trim(scenario.FormatParams(ps), "{}"))
	}
	for _, n := range nodes {
		o.pcaps = append(o.pcaps, results.File{Name: fmt.Sprintf("%s/node%d.pcap", dir, n), Data: u.Sample.Pcap[n]})
	}
	o.skipped += u.Sample.PcapSkipped
}

// notePcap says how many packets the captures left out (trace.max_mb).
func (o *repOut) notePcap(stderr io.Writer) {
	if o.skipped > 0 {
		fmt.Fprintf(stderr, "warning: the packet captures reached trace.max_mb = %s and left out the last %d packets (raise it, or capture fewer nodes with trace.nodes)\n",
			scenario.Format(o.plan.Base.Trace.MaxMB), o.skipped)
	}
}

// pathSafe keeps a sweep point's parameters usable as a directory name:
// letters, digits and . _ = , - as they are, quotes dropped, anything
// else as _.
func pathSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return -1
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("._=,-", r):
			return r
		}
		return '_'
	}, strings.ReplaceAll(s, ", ", ","))
}
