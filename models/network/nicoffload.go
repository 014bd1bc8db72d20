package network

import (
	"github.com/cnisim/cnisim/internal/field"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
)

// NICOffloads are the offloads the nodes' NICs lack (cluster.nic_offloads;
// the zero value is a NIC with all of them, as before per-device
// offloads). They matter only with Config.Offloads (offload.go):
//   - without TSO, or without the segmentation offload of the path's
//     tunnel (VXLAN and Geneve: tx-udp_tnl-segmentation; IP-in-IP:
//     tx-ipxip4-segmentation; GRE: tx-gre-segmentation), GSO cuts the
//     super-packet in software before the first device that cannot take
//     it: the steps on the outer packet (after the encapsulation, or the
//     NIC step of an unencapsulated path) run per packet, the inner ones
//     still per super-packet;
//   - without GRO, the receiving NIC hands the stack packet by packet: no
//     receive super-packets.
//
// Names as `ethtool -k` prints the features.
type NICOffloads struct {
	NoTSO, NoGRO, NoUDPTnl, NoIPIP, NoGRE bool
}

// NICOffloadNames are the names cluster.nic_offloads accepts.
var NICOffloadNames = []string{"tso", "gro", "tx-udp_tnl-segmentation", "tx-ipxip4-segmentation", "tx-gre-segmentation"}

// ParseNICOffloads parses a comma list of NICOffloadNames (the offloads
// the NICs have); "" or "all" is every one, "none" none.
func ParseNICOffloads(s string) (NICOffloads, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "all" {
		return NICOffloads{}, nil
	}
	o := NICOffloads{true, true, true, true, true}
	if s == "none" {
		return o, nil
	}
	for _, f := range strings.Split(s, ",") {
		switch strings.TrimSpace(f) {
		case "tso":
			o.NoTSO = false
		case "gro":
			o.NoGRO = false
		case "tx-udp_tnl-segmentation":
			o.NoUDPTnl = false
		case "tx-ipxip4-segmentation":
			o.NoIPIP = false
		case "tx-gre-segmentation":
			o.NoGRE = false
		default:
			return o, field.Errorf("network.NICOffloads", s, "unknown offload %q (allowed: all, none, or a comma list of %s)",
				strings.TrimSpace(f), strings.Join(NICOffloadNames, ", "))
		}
	}
	return o, nil
}

// softwareGSO reports whether GSO must cut a path's super-packets in
// software before its outer steps: the NIC cannot segment what the path
// hands it (an inter-host path's last tunnel on the sending side, or
// plain TCP without TSO). Paths through a daemon or encryption are left
// as offload.go batches them.
func (o NICOffloads) softwareGSO(path datapath.CostedPath) bool {
	if !path.InterHost {
		return false // no NIC: veth takes super-packets
	}
	tunnel := datapath.Kind(255)
	for _, st := range path.Steps {
		if st.Side == datapath.Src && isEncap(st.Kind) {
			tunnel = st.Kind
		}
	}
	switch tunnel {
	case datapath.VXLAN, datapath.Geneve:
		return o.NoTSO || o.NoUDPTnl
	case datapath.IPIP:
		return o.NoTSO || o.NoIPIP
	case datapath.GRE:
		return o.NoTSO || o.NoGRE
	case datapath.Userspace, datapath.Encrypt:
		return false
	}
	return o.NoTSO
}

// MergesFrames reports whether GRO merges the frames of path p on its
// receiving node under c (what compile prices with GROFrameCycles): with
// offloads, an inter-host path (a NIC to receive on), neither the NICs
// nor the path's outermost tunnel device without GRO.
func (c *Config) MergesFrames(p datapath.CostedPath) bool {
	return c.Offloads && p.InterHost && !c.NICOffloads.NoGRO && !p.NoGRO && !p.Fragments
}

// CutsSegments reports whether software GSO cuts path p's super-packets
// on its sending node under c (what compile prices with
// GSOSegmentCycles): with offloads, where a device on the path cannot
// take a super-packet, the NIC cannot segment what the path hands it, or
// its segments would fragment (datapath.CostedPath.Fragments).
func (c *Config) CutsSegments(p datapath.CostedPath) bool {
	return c.Offloads && (p.GSOCut > 0 || p.Fragments && p.InterHost || c.NICOffloads.softwareGSO(p))
}
