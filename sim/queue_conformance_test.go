package sim_test

import (
	"testing"

	"github.com/cnisim/cnisim/sim"
	"github.com/cnisim/cnisim/sim/simtest"
)

func TestQueueConforms(t *testing.T) {
	t.Parallel()
	simtest.TestQueue(t, func() simtest.Queue { return &sim.RawQueue{} })
}
