package fit

import (
	"fmt"

	"github.com/cnisim/cnisim/models/datapath"
)

// CrossingsFunc gives a configuration's crossing counts per packet; the
// CLI implements it with the CNI model.
type CrossingsFunc func(plugin, mode string, placement datapath.Placement, mtu int) (Counts, error)

// CrossingsFor calls fn for every row; errors name the row's line.
func CrossingsFor(rows []Row, fn CrossingsFunc) ([]Counts, error) {
	out := make([]Counts, len(rows))
	for i, r := range rows {
		c, err := fn(r.Plugin, r.Mode, datapath.Placement(r.Placement), r.MTU)
		if err != nil {
			return nil, fmt.Errorf("%s (%s/%s/%s): %w", rowName(r, i), r.Plugin, r.Mode, r.Placement, err)
		}
		out[i] = c
	}
	return out, nil
}
