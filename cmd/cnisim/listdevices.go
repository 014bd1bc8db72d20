package main

import (
	"strconv"

	"github.com/cnisim/cnisim/models/cni"
)

func init() { listers["devices"] = listDevices }

// listDevices is the built-in table of device offload capabilities
// (models/cni/devices/devices.toml) with each entry's provenance: what
// cluster.offloads can use on a path through each device, and how the
// receiving NIC's RSS spreads a path arriving in its header (by flow, or
// by the two nodes alone).
func listDevices() (listing, error) {
	ds, err := cni.DeviceOffloads()
	if err != nil {
		return listing{}, err
	}
	l := listing{header: []string{"device", "gso", "gro", "gro_frame+", "gso_segment+", "rss", "source"}}
	for _, d := range ds {
		rss := "flow"
		switch {
		case d.RSSInner:
			rss = "nodes (flow with cluster.rss_inner)"
		case d.RSSByNodes:
			rss = "nodes"
		}
		l.rows = append(l.rows, []string{d.Device, strconv.FormatBool(d.GSO), strconv.FormatBool(d.GRO),
			strconv.FormatFloat(d.GROFrameCycles, 'g', -1, 64), strconv.FormatFloat(d.GSOSegmentCycles, 'g', -1, 64), rss, d.Source})
	}
	return l, nil
}
