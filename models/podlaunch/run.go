package podlaunch

import "github.com/cnisim/cnisim/sim"

// Run simulates cfg on a fresh engine until every pod is running.
func Run(cfg Config, streams sim.Streams) (Result, error) {
	e := sim.NewEngine()
	p, err := New(e, cfg, streams, Callbacks{})
	if err != nil {
		return Result{}, err
	}
	p.Start()
	e.Run()
	return p.Result(), nil
}
