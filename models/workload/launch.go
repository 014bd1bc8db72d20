package workload

import (
	"fmt"

	"github.com/cnisim/cnisim/models/podlaunch"
	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// launchClient runs the client pod's launch (issue 7's combined workload)
// on e until its container has started, the moment the client (curl,
// iperf3) starts, and returns the pod's record. The pipeline's remaining
// events (status write, deferred CNI work) stay queued on e. The network
// is idle meanwhile: the server pod is already running.
func launchClient(e *sim.Engine, cfg *Config) (podlaunch.Pod, error) {
	pc := *cfg.Workload.Launch
	pc.Pods, pc.Nodes, pc.Arrival = 1, 1, podlaunch.Arrival{Kind: podlaunch.Burst}
	started := false
	p, err := podlaunch.New(e, pc, sim.Streams{Seed: cfg.Seed, Replication: cfg.Replication},
		podlaunch.Callbacks{OnStarted: func(int, sim.Time) { started = true; e.Stop() }})
	if err != nil {
		return podlaunch.Pod{}, fmt.Errorf("client pod launch: %w", err)
	}
	p.Start()
	e.Run()
	if !started {
		return podlaunch.Pod{}, fmt.Errorf("client pod launch: the container never started")
	}
	return p.Pod(0), nil
}

// cutOff drops the client pod's packets until its network is ready (an
// asynchronous CNI returned before policy was in place); with a blocking
// CNI the network is ready before the container starts and nothing drops.
func cutOff(c *tcp.Conn, pod podlaunch.Pod, now sim.Time) {
	if pod.NetworkReady > now {
		c.Client.BlackholeUntil(pod.NetworkReady)
	}
}

func launchResult(pod podlaunch.Pod) LaunchResult {
	return LaunchResult{
		Launched:        true,
		PodReadyS:       (pod.Started - pod.Created).Seconds(),
		PodNetworkWaitS: max(0, pod.NetworkReady-pod.Started).Seconds(),
	}
}
