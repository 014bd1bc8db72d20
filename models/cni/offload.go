package cni

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/cnisim/cnisim/internal/tomlx"
	"github.com/cnisim/cnisim/models/datapath"
)

// devicesTOML is the built-in table of device offload capabilities, with
// the provenance of each entry.
//
//go:embed devices/devices.toml
var devicesTOML []byte

// DeviceOffload is what one kind of device can do with super-packets
// (devices/devices.toml explains the fields and cites the kernel).
type DeviceOffload struct {
	Device string `toml:"device"`
	// GSO: the device carries a GSO super-packet onward; where one on the
	// sending side cannot, software GSO cuts the super-packet there.
	GSO bool `toml:"gso"`
	// GRO: the receiving NIC's GRO can merge a path's packets through this
	// (decapsulating) device.
	GRO bool `toml:"gro"`
	// GROAfter: the merging happens on the device's own NAPI after it
	// (WireGuard), so the receiving steps up to it run per packet.
	GROAfter bool `toml:"gro_after"`
	// RSSByNodes: a path arriving in this device's outer header is spread
	// over the receiving node's cores by the two nodes alone, not by flow
	// (its header carries no inner ports for the NIC's RSS hash).
	RSSByNodes bool `toml:"rss_by_nodes"`
	// RSSInner: with RSSByNodes, a NIC that parses this tunnel can hash
	// the inner flow's header instead (cluster.rss_inner).
	RSSInner bool `toml:"rss_inner"`
	// GROFrameCycles: what GRO's parsing of this tunnel's headers adds to
	// each frame it merges, for a path arriving in its outer header.
	GROFrameCycles float64 `toml:"gro_frame_cycles"`
	// GSOSegmentCycles: what software GSO of this tunnel's encapsulated
	// super-packets adds to each segment (a NIC without the tunnel's
	// segmentation), for a path whose outermost sending tunnel it is.
	GSOSegmentCycles float64 `toml:"gso_segment_cycles"`
	Source           string  `toml:"source"`
}

var deviceTable = sync.OnceValues(func() (map[string]DeviceOffload, error) {
	var f struct {
		Device []DeviceOffload `toml:"device"`
	}
	if _, err := tomlx.Decode("builtin:devices/devices.toml", devicesTOML, &f, tomlx.Options{}); err != nil {
		return nil, err
	}
	m := make(map[string]DeviceOffload, len(f.Device))
	for _, d := range f.Device {
		if _, dup := m[d.Device]; dup || d.Device == "" || strings.TrimSpace(d.Source) == "" {
			return nil, fmt.Errorf("builtin:devices/devices.toml: device %q: duplicate, empty or without a source", d.Device)
		}
		if !(d.GROFrameCycles >= 0 && d.GROFrameCycles <= 1e6) {
			return nil, fmt.Errorf("builtin:devices/devices.toml: device %q: gro_frame_cycles = %v (allowed: 0..1e6)", d.Device, d.GROFrameCycles)
		}
		if !(d.GSOSegmentCycles >= 0 && d.GSOSegmentCycles <= 1e6) {
			return nil, fmt.Errorf("builtin:devices/devices.toml: device %q: gso_segment_cycles = %v (allowed: 0..1e6)", d.Device, d.GSOSegmentCycles)
		}
		if d.RSSInner && !d.RSSByNodes {
			return nil, fmt.Errorf("builtin:devices/devices.toml: device %q: rss_inner without rss_by_nodes (a header with the flow's ports needs no inner hash)", d.Device)
		}
		m[d.Device] = d
	}
	return m, nil
})

// DeviceOffloads returns the built-in device capabilities, sorted by
// device name.
func DeviceOffloads() ([]DeviceOffload, error) {
	m, err := deviceTable()
	if err != nil {
		return nil, err
	}
	out := make([]DeviceOffload, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Device < out[j].Device })
	return out, nil
}

// deviceOf names the device a step crosses for the offload table: the
// stage kind for the device kinds, the mode's encryption for encrypt; ""
// for a stage that is no device of its own (the NIC is
// cluster.nic_offloads).
func deviceOf(k datapath.Kind, encryption datapath.Encap) string {
	switch k {
	case datapath.Veth, datapath.Bridge, datapath.VXLAN, datapath.Geneve, datapath.IPIP,
		datapath.GRE, datapath.OVS, datapath.Userspace:
		return k.String()
	case datapath.Encrypt:
		return encryption.String()
	}
	return ""
}

// decapsulates says whether a receiving-side device's GRO support decides
// whether the NIC's GRO merges the path's packets (a tunnel or encryption
// the packets arrive in); a veth or bridge after it gets merged skbs.
func decapsulates(k datapath.Kind) bool {
	switch k {
	case datapath.VXLAN, datapath.Geneve, datapath.IPIP, datapath.GRE, datapath.OVS,
		datapath.Userspace, datapath.Encrypt:
		return true
	}
	return false
}

// tunnelShare is what a tunnel device adds to each frame GRO merges, or
// with gso to each segment software GSO cuts: the cost source's when it
// states one for the device (a calibration profile's [[gro_frame]] or
// [[gso_segment]]), else the devices table's.
func tunnelShare(costs datapath.CostSource, gso bool, device string, table float64) float64 {
	g, ok := costs.(datapath.FrameCostSource)
	if !ok {
		return table
	}
	lookup := g.GROFrameCycles
	if gso {
		lookup = g.GSOSegmentCycles
	}
	if c, ok := lookup(device); ok {
		return c
	}
	return table
}

// deviceOffloads sets cp's GSOCut, NoGRO, GROFrom, RSSByNodes, RSSInner, GROFrameExtra and GSOSegmentExtra from the
// devices its steps cross: the first sending-side device that cannot
// carry a super-packet is where software GSO cuts it, an inter-host path
// arriving through a device without GRO gets none, and through one that
// merges on its own NAPI (WireGuard) only after it; the first receiving
// device that decapsulates holds the outermost header, which the NIC's
// RSS hashes and GRO parses; the last sending tunnel is what software GSO
// cuts where the NIC cannot (the tunnels' shares: tunnelShare).
func (md *Mode) deviceOffloads(cp *datapath.CostedPath, costs datapath.CostSource) error {
	table, err := deviceTable()
	if err != nil {
		return err
	}
	outermost := true
	for i, st := range cp.Steps {
		name := deviceOf(st.Kind, md.Encryption)
		if name == "" {
			continue
		}
		d, ok := md.Devices[name]
		if !ok {
			d, ok = table[name]
		}
		if !ok {
			return fmt.Errorf("mode %s: no offload capabilities for device %q (devices/devices.toml)", md.Name, name)
		}
		if st.Side == datapath.Src && cp.InterHost && decapsulates(st.Kind) {
			// the last sending tunnel's: the outermost
			cp.GSOSegmentExtra = tunnelShare(costs, true, name, d.GSOSegmentCycles)
		}
		if st.Side == datapath.Dst && cp.InterHost && decapsulates(st.Kind) && outermost {
			outermost = false
			cp.RSSByNodes, cp.RSSInner = d.RSSByNodes, d.RSSInner
			cp.GROFrameExtra = tunnelShare(costs, false, name, d.GROFrameCycles)
		}
		switch {
		case st.Side == datapath.Src && !d.GSO && cp.GSOCut == 0:
			cp.GSOCut = i + 1
		case st.Side == datapath.Dst && cp.InterHost && decapsulates(st.Kind) && !d.GRO:
			cp.NoGRO = true
		case st.Side == datapath.Dst && cp.InterHost && decapsulates(st.Kind) && d.GROAfter:
			cp.GROFrom = i + 2
		}
	}
	return nil
}

// deviceNames lists the devices of the built-in table, sorted (none if it
// does not parse: its test fails then).
func deviceNames() []string {
	ds, _ := DeviceOffloads()
	n := make([]string, len(ds))
	for i, d := range ds {
		n[i] = d.Device
	}
	return n
}

// buildDeviceOffloads reads a mode's device_offloads: device -> a comma
// list of gso and gro, or "none".
func buildDeviceOffloads(m map[string]string) (map[string]DeviceOffload, error) {
	if len(m) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(m))
	for d := range m {
		names = append(names, d)
	}
	sort.Strings(names) // the first error is the same on every run
	table, err := deviceTable()
	if err != nil {
		return nil, err
	}
	out := make(map[string]DeviceOffload, len(m))
	for _, d := range names {
		// the offloads are the file's; how RSS sees the device's header is not
		o := DeviceOffload{Device: d, RSSByNodes: table[d].RSSByNodes, RSSInner: table[d].RSSInner, GROFrameCycles: table[d].GROFrameCycles,
			Source: "the model file's device_offloads"}
		if v := strings.TrimSpace(m[d]); v != "none" {
			for _, f := range strings.Split(v, ",") {
				switch strings.TrimSpace(f) {
				case "gso":
					o.GSO = true
				case "gro":
					o.GRO = true
				default:
					return nil, fmt.Errorf("%s = %q: allowed a comma list of gso, gro, or \"none\"", d, m[d])
				}
			}
		}
		out[d] = o
	}
	return out, nil
}
