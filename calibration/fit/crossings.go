package fit

import "fmt"

// ConfigFunc gives a row's configuration on the measured node (crossings
// per data packet and per ACK, pod MTU); ModelConfigs implements it with
// the CNI model.
type ConfigFunc func(r Row) (Config, error)

// ConfigsFor calls fn for every row; errors name the row's line.
func ConfigsFor(rows []Row, fn ConfigFunc) ([]Config, error) {
	out := make([]Config, len(rows))
	for i, r := range rows {
		c, err := fn(r)
		if err != nil {
			return nil, fmt.Errorf("%s (%s/%s/%s): %w", rowName(r, i), r.Plugin, r.Mode, r.Placement, err)
		}
		out[i] = c
	}
	return out, nil
}
