package main

import (
	"strconv"

	"github.com/cnisim/cnisim/models/cni"
)

func init() { listers["devices"] = listDevices }

// listDevices is the built-in table of device offload capabilities
// (models/cni/devices/devices.toml) with each entry's provenance: what
// cluster.offloads can use on a path through each device.
func listDevices() (listing, error) {
	ds, err := cni.DeviceOffloads()
	if err != nil {
		return listing{}, err
	}
	l := listing{header: []string{"device", "gso", "gro", "source"}}
	for _, d := range ds {
		l.rows = append(l.rows, []string{d.Device, strconv.FormatBool(d.GSO), strconv.FormatBool(d.GRO), d.Source})
	}
	return l, nil
}
