package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/cnisim/cnisim/experiments/flowstats"
	"github.com/cnisim/cnisim/internal/pcap"
	"github.com/cnisim/cnisim/internal/wire"
)

func init() {
	register(&command{name: "pcap", summary: "TCP statistics of packet captures, real or simulated, and two side by side", run: runPcap})
	subcommands["pcap"] = []string{"stats", "compare"}
}

func runPcap(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("pcap", "pcap stats FILE [--largest] [--format table|json] [--udp-tunnel-port N]\n"+
		"       cnisim pcap compare REFERENCE FILE [--largest] [--format table|json] [--udp-tunnel-port N]\n\n"+
		"Reads pcap and pcapng files (tcpdump, Wireshark; Ethernet, Linux cooked, raw IP link\n"+
		"types; VXLAN, Geneve, IP-in-IP and GRE opened to the pod's packet) and prints each TCP\n"+
		"connection's handshake, data segments, retransmissions, ACKs, SACKs, the round trips\n"+
		"the timestamps' echo gives where it was captured and its completion time, and each UDP\n"+
		"flow's datagrams and rate; compare prints two captures' pooled figures side by side (a\n"+
		"real one first, a simulated one from cnisim run with trace.pcap = true next).\n\n"+
		"Examples:\n  cnisim pcap stats out/pcap/node0.pcap\n"+
		"  cnisim pcap compare pod.pcap out/pcap/node0.pcap", stderr)
	format := fs.StringP("format", "f", "table", "output: table or json")
	tunnel := fs.Uint16("udp-tunnel-port", 0, "a user-space UDP tunnel's port to open (Flannel udp 8285, Weave sleeve 6784; 0: none)")
	largest := fs.Bool("largest", false, "only each capture's connection with the most payload (a bulk stream beside its tool's control connection)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return usagef("--format %q: allowed table, json", *format)
	}
	a := fs.Args()
	if len(a) == 0 {
		return usagef("pcap: want stats FILE or compare REFERENCE FILE")
	}
	switch {
	case a[0] == "stats" && len(a) == 2:
		c, err := readCapture(a[1], *tunnel, stderr)
		if err != nil {
			return err
		}
		return printStats(stdout, a[1], c, *largest, *format)
	case a[0] == "compare" && len(a) == 3:
		ref, err := readCapture(a[1], *tunnel, stderr)
		if err != nil {
			return err
		}
		got, err := readCapture(a[2], *tunnel, stderr)
		if err != nil {
			return err
		}
		return printCompare(stdout, a[1], a[2], ref.summary(*largest), got.summary(*largest), *format)
	case a[0] != "stats" && a[0] != "compare":
		return usagef("pcap %s: unknown (allowed: stats, compare)", a[0])
	}
	return usagef("pcap %s: want %s", a[0], map[string]string{"stats": "one FILE", "compare": "REFERENCE FILE"}[a[0]])
}

// capture is a capture file's TCP connections and UDP flows.
type capture struct {
	conns []flowstats.Conn
	udp   []flowstats.UDPFlow
}

// summary pools a capture (with largest, its connection with the most
// payload alone).
func (c capture) summary(largest bool) capSummary {
	return capSummary{flowstats.Summarize(pick(c.conns, largest)), flowstats.SummarizeUDP(c.udp)}
}

// capSummary is what a capture's summary rows read.
type capSummary struct {
	TCP flowstats.Summary
	UDP flowstats.UDPSummary
}

// readCapture reads a capture file's TCP connections and UDP flows;
// records that are not IPv4, or are cut before their transport header,
// are counted on stderr.
func readCapture(name string, tunnelPort uint16, stderr io.Writer) (capture, error) {
	f, err := os.Open(name)
	if err != nil {
		return capture{}, usagef("%v", err)
	}
	defer f.Close()
	r, err := pcap.Open(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return capture{}, usagef("%s: %v", name, err)
	}
	var pkts []flowstats.Packet
	var other, cut, encrypted int
	for n := 1; ; n++ {
		rec, link, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return capture{}, usagef("%s: record %d: %v", name, n, err)
		}
		ip, ok, err := pcap.IPv4(link, rec.Data)
		if err != nil {
			return capture{}, usagef("%s: record %d: %v", name, n, err)
		}
		if !ok {
			other++
			continue
		}
		_, inner, err := wire.DecodeEncap(ip, tunnelPort)
		switch {
		case errors.Is(err, wire.ErrNotIPv4):
			other++
			continue
		case err != nil:
			cut++
			continue
		case inner == nil:
			encrypted++
			continue
		}
		p, err := wire.Decode(inner)
		if err != nil {
			cut++
			continue
		}
		pkts = append(pkts, flowstats.Packet{TS: rec.TS, P: p})
	}
	if other+cut+encrypted > 0 {
		fmt.Fprintf(stderr, "%s: left out %d records not IPv4, %d cut or malformed, %d encrypted\n", name, other, cut, encrypted)
	}
	return capture{flowstats.Analyze(pkts), flowstats.AnalyzeUDP(pkts)}, nil
}

// pick returns conns, or with largest only the one with the most payload.
func pick(conns []flowstats.Conn, largest bool) []flowstats.Conn {
	if !largest || len(conns) == 0 {
		return conns
	}
	best := 0
	for i, c := range conns {
		if c.UniqueBytes > conns[best].UniqueBytes {
			best = i
		}
	}
	return conns[best : best+1]
}

// printStats prints a capture's connections, UDP flows and their summary.
func printStats(w io.Writer, name string, c capture, largest bool, format string) error {
	conns := pick(c.conns, largest)
	s := c.summary(largest)
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			File        string
			Summary     capSummary
			Connections []flowstats.Conn
			UDPFlows    []flowstats.UDPFlow
		}{name, s, conns, c.udp})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "sender\treceiver\tsyns\tconnect_us\tfct_us\tsegments\tpayload_bytes\tretrans\tacks\tsack_acks\trtt_p50_us\tmax_window\t\n")
	for _, c := range conns {
		rtt := flowstats.Summarize([]flowstats.Conn{c}).RTTP50us
		fmt.Fprintf(tw, "%v\t%v\t%d\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%.1f\t%d\t\n", c.Sender, c.Receiver, c.Syns, micros(c.SynAck), micros(c.Completion), c.Segments, c.UniqueBytes,
			c.Retrans, c.Acks, c.SACKAcks, rtt, c.MaxWindow)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(c.udp) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "udp from\tto\tdatagrams\tpayload_bytes\trate_mbps\t\n")
		for _, f := range c.udp {
			fmt.Fprintf(tw, "%v\t%v\t%d\t%d\t%.2f\t\n", f.Src, f.Dst, f.Datagrams, f.Bytes, f.RateMbps())
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	return printSummary(w, []string{name}, []capSummary{s})
}

// printCompare prints two summaries side by side, with the second's error
// against the first.
func printCompare(w io.Writer, refName, name string, ref, got capSummary, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Reference, File               string
			ReferenceSummary, FileSummary capSummary
		}{refName, name, ref, got})
	}
	return printSummary(w, []string{refName, name}, []capSummary{ref, got})
}

// summaryRows are the summary's figures as printed.
var summaryRows = []struct {
	name string
	v    func(s capSummary) float64
}{
	{"connections", func(s capSummary) float64 { return float64(s.TCP.Connections) }},
	{"goodput_mbps", func(s capSummary) float64 { return s.TCP.GoodputMbps }},
	{"payload_bytes", func(s capSummary) float64 { return float64(s.TCP.UniqueBytes) }},
	{"data_segments", func(s capSummary) float64 { return float64(s.TCP.Segments) }},
	{"retransmitted", func(s capSummary) float64 { return float64(s.TCP.Retrans) }},
	{"retrans_fraction", func(s capSummary) float64 { return s.TCP.RetransFraction }},
	{"acks_per_segment", func(s capSummary) float64 { return s.TCP.AckRatio }},
	{"sack_acks", func(s capSummary) float64 { return float64(s.TCP.SACKAcks) }},
	{"dsacks", func(s capSummary) float64 { return float64(s.TCP.DSACKs) }},
	{"ce_marked", func(s capSummary) float64 { return float64(s.TCP.CE) }},
	{"ece_acks", func(s capSummary) float64 { return float64(s.TCP.ECE) }},
	{"rtt_p10_us", func(s capSummary) float64 { return s.TCP.RTTP10us }},
	{"rtt_p50_us", func(s capSummary) float64 { return s.TCP.RTTP50us }},
	{"rtt_p90_us", func(s capSummary) float64 { return s.TCP.RTTP90us }},
	{"rtt_samples", func(s capSummary) float64 { return float64(s.TCP.RTTSamples) }},
	{"syn_retries", func(s capSummary) float64 { return float64(s.TCP.SynRetries) }},
	{"connect_p50_us", func(s capSummary) float64 { return s.TCP.SynAckP50us }},
	{"completed", func(s capSummary) float64 { return float64(s.TCP.Completed) }},
	{"fct_p50_us", func(s capSummary) float64 { return s.TCP.FCTP50us }},
	{"fct_p90_us", func(s capSummary) float64 { return s.TCP.FCTP90us }},
	{"fct_p99_us", func(s capSummary) float64 { return s.TCP.FCTP99us }},
	{"udp_flows", func(s capSummary) float64 { return float64(s.UDP.Flows) }},
	{"udp_datagrams", func(s capSummary) float64 { return float64(s.UDP.Datagrams) }},
	{"udp_payload_bytes", func(s capSummary) float64 { return float64(s.UDP.Bytes) }},
	{"udp_rate_mbps", func(s capSummary) float64 { return s.UDP.RateMbps }},
}

// printSummary prints one column per summary and, for two, the second's
// relative error against the first.
func printSummary(w io.Writer, names []string, ss []capSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "metric\t" + strings.Join(names, "\t") + "\t"
	if len(ss) == 2 {
		head += "error\t"
	}
	fmt.Fprintln(tw, head)
	for _, r := range summaryRows {
		fmt.Fprintf(tw, "%s\t", r.name)
		for _, s := range ss {
			fmt.Fprintf(tw, "%s\t", fmtFigure(r.v(s)))
		}
		if len(ss) == 2 {
			a, b := r.v(ss[0]), r.v(ss[1])
			if a != 0 {
				fmt.Fprintf(tw, "%+.1f%%\t", (b-a)/a*100)
			} else {
				fmt.Fprintf(tw, "-\t")
			}
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// fmtFigure prints a figure whole from 1000 on, else with four
// significant digits.
func fmtFigure(v float64) string {
	if v == float64(int64(v)) || v >= 1000 || v <= -1000 {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.4g", v)
}

// micros prints a duration in ns as µs, "-" for none (negative).
func micros(ns int64) string {
	if ns < 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(ns)/1e3)
}
