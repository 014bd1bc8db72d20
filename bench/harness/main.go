// Command harness times one replication of a scenario through
// workload.Run, in-process, and prints wall time, CPU time (getrusage),
// events, packets, data segments, goodput and peak resident memory: the
// figures of the README "Performance" section.
//
//	go run ./bench/harness -count 5 bench/bulk.toml
//	go run ./bench/harness --set cluster.link_gbps=100 --set workload.streams=64 bench/bulk.toml
//
// Each of -count runs is reported on one line; the last line gives the
// median. -cpuprofile writes a pprof CPU profile of all the runs, -memprofile a heap
// profile whose alloc_space says what the runs allocated (their state: the
// simulator reuses what it frees).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cnisim/cnisim/bench/internal/procstat"
	"github.com/cnisim/cnisim/experiments/scenario"
	"github.com/cnisim/cnisim/experiments/simulate"
	"github.com/cnisim/cnisim/internal/hugepage"
	"github.com/cnisim/cnisim/models/workload"
)

type sets []string

func (s *sets) String() string     { return strings.Join(*s, " ") }
func (s *sets) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(2)
	}
}

func run() error {
	var overrides sets
	count := flag.Int("count", 1, "runs to time")
	prof := flag.String("cpuprofile", "", "write a CPU profile to `FILE`")
	memprof := flag.String("memprofile", "", "write a pprof heap profile (allocations of all the runs) to `FILE`")
	quiet := flag.Bool("q", false, "print only the median line")
	flag.Var(&overrides, "set", "override a scenario key, as `key=value` (repeatable)")
	flag.Parse()
	hugepage.Start(hugepage.Interval)
	if flag.NArg() != 1 || *count < 1 {
		return errors.New("usage: harness [-count N] [-cpuprofile FILE] [-memprofile FILE] [--set key=value]... SCENARIO.toml")
	}
	file := flag.Arg(0)
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var ovs []scenario.Override
	for _, s := range overrides {
		o, err := scenario.ParseSet(s)
		if err != nil {
			return err
		}
		ovs = append(ovs, o)
	}
	plan, err := scenario.Load(file, data, scenario.Options{Overrides: ovs, Validate: simulate.Validate})
	if err != nil {
		return err
	}
	if plan.Len() != 1 {
		return fmt.Errorf("%s: the harness times one point; pin the sweep with --set (it has %d points)", file, plan.Len())
	}
	sc := plan.Point(0).Scenario
	cfg, err := simulate.Config(sc, sc.Seed, 0)
	if err != nil {
		return err
	}
	stop, err := procstat.StartProfile(*prof)
	if err != nil {
		return err
	}
	defer stop()
	var all []measure
	for i := 0; i < *count; i++ {
		m, err := once(cfg)
		if err != nil {
			return err
		}
		all = append(all, m)
		if !*quiet {
			fmt.Println(m.line(fmt.Sprintf("run %d", i+1)))
		}
	}
	med := median(all)
	fmt.Println(med.line("median"))
	return procstat.WriteHeapProfile(*memprof)
}

// measure is one timed run.
type measure struct {
	wall, cpu   time.Duration
	events      uint64
	packets     uint64 // all packets sent into the network (data, ACKs, SYNs)
	dataSegs    uint64 // data segments received in the measured interval
	goodputMbps float64
	maxRSSMB    float64 // peak RSS of the process so far
	simS        float64
}

func once(cfg workload.Config) (measure, error) {
	c0 := procstat.CPUTime()
	t0 := time.Now()
	r, err := workload.Run(cfg)
	wall := time.Since(t0)
	c1 := procstat.CPUTime()
	if err != nil {
		return measure{}, err
	}
	return measure{wall: wall, cpu: c1 - c0, events: r.Events, packets: r.Packets.Sent, dataSegs: r.DataPackets,
		goodputMbps: r.ThroughputMbps, maxRSSMB: procstat.MaxRSSMB(), simS: cfg.Duration.Seconds()}, nil
}

func (m measure) line(label string) string {
	w := m.wall.Seconds()
	return fmt.Sprintf("%-7s wall_s=%.3f cpu_s=%.3f sim_s=%g events=%d packets=%d data_segs=%d "+
		"segs_per_wall_s=%.3gM pkts_per_wall_s=%.3gM events_per_pkt=%.2f ns_per_seg=%.1f goodput_mbps=%.1f max_rss_mb=%.1f",
		label, w, m.cpu.Seconds(), m.simS, m.events, m.packets, m.dataSegs,
		float64(m.dataSegs)/w/1e6, float64(m.packets)/w/1e6, float64(m.events)/float64(max(m.packets, 1)),
		w*1e9/float64(max(m.dataSegs, 1)), m.goodputMbps, m.maxRSSMB)
}

// median takes the run with the median wall time (counts and goodput are
// the same in every run: the simulation is deterministic).
func median(all []measure) measure {
	s := slices.Clone(all)
	slices.SortFunc(s, func(a, b measure) int { return int(a.wall - b.wall) })
	m := s[len(s)/2]
	cpus := make([]time.Duration, len(all))
	for i := range all {
		cpus[i] = all[i].cpu
	}
	slices.Sort(cpus)
	m.cpu = cpus[len(cpus)/2]
	return m
}
