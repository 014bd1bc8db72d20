package flowstats

import "net/netip"

// UDPFlow is one direction of a UDP exchange in a capture: its datagrams,
// their payload and the span from the first to the last.
type UDPFlow struct {
	Src, Dst    netip.AddrPort
	Datagrams   int64
	Bytes       int64 // payload
	First, Last int64 // ns
}

// RateMbps is the flow's payload rate over its span (0 for one datagram).
func (f UDPFlow) RateMbps() float64 {
	if f.Last <= f.First {
		return 0
	}
	return float64(f.Bytes) * 8 / (float64(f.Last-f.First) / 1e9) / 1e6
}

// AnalyzeUDP returns the UDP flows of a capture's packets (in capture
// order), a flow per direction, by first datagram.
func AnalyzeUDP(pkts []Packet) []UDPFlow {
	idx := map[[2]netip.AddrPort]int{}
	var out []UDPFlow
	for _, pk := range pkts {
		u := pk.P.UDP
		if u == nil {
			continue
		}
		key := [2]netip.AddrPort{netip.AddrPortFrom(netip.AddrFrom4(pk.P.IP.Src), u.SrcPort), netip.AddrPortFrom(netip.AddrFrom4(pk.P.IP.Dst), u.DstPort)}
		i, ok := idx[key]
		if !ok {
			i = len(out)
			idx[key] = i
			out = append(out, UDPFlow{Src: key[0], Dst: key[1], First: pk.TS})
		}
		f := &out[i]
		f.Datagrams++
		f.Bytes += int64(pk.P.Payload)
		f.Last = pk.TS
	}
	return out
}

// UDPSummary pools a capture's UDP flows: their datagrams, payload and
// payload rate over the span from the first datagram to the last.
type UDPSummary struct {
	Flows            int
	Datagrams, Bytes int64
	RateMbps         float64
}

// SummarizeUDP pools flows.
func SummarizeUDP(flows []UDPFlow) UDPSummary {
	var s UDPSummary
	first, last := int64(0), int64(0)
	for i, f := range flows {
		s.Flows++
		s.Datagrams += f.Datagrams
		s.Bytes += f.Bytes
		if i == 0 || f.First < first {
			first = f.First
		}
		last = max(last, f.Last)
	}
	if last > first {
		s.RateMbps = float64(s.Bytes) * 8 / (float64(last-first) / 1e9) / 1e6
	}
	return s
}
