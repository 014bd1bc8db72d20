package compare

import (
	"fmt"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// Baseline is the swept values a comparison holds fixed.
type Baseline struct {
	plan  *scenario.Plan
	fixed map[int]int // axis -> value index
	// Params are the fixed values, in axis order.
	Params []scenario.Param
	// Values are the overrides it was made from.
	Values []scenario.Override
}

// NewBaseline checks the baseline's keys and values against the plan's
// sweep: each key swept, once, and each value one of its values.
func NewBaseline(plan *scenario.Plan, values []scenario.Override) (*Baseline, error) {
	if len(values) == 0 {
		return nil, fmt.Errorf("a baseline needs at least one swept key=value")
	}
	b := &Baseline{plan: plan, fixed: map[int]int{}, Values: values}
	for _, o := range values {
		a, v, err := plan.Locate(o.Key, o.Value)
		if err != nil {
			return nil, err
		}
		if _, dup := b.fixed[a]; dup {
			return nil, &scenario.FieldError{Key: o.Key, Msg: "given twice (one baseline value per swept key)"}
		}
		b.fixed[a] = v
	}
	for a, ax := range plan.Axes {
		if v, ok := b.fixed[a]; ok {
			b.Params = append(b.Params, scenario.Param{Key: ax.Key, Value: ax.Values[v]})
		}
	}
	return b, nil
}

// Of returns the point that point i is compared with: i's values on every
// axis but the fixed ones, which take the baseline's. Of(i) == i for the
// baseline points themselves.
func (b *Baseline) Of(i int) int {
	idx := b.plan.Coordinates(i)
	for a, v := range b.fixed {
		idx[a] = v
	}
	return b.plan.Index(idx)
}
