package simulate

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
)

// Replications of one prepared point share its resolution: run at once
// from several goroutines (go test -race checks they share nothing
// mutable) they give what a fresh Run of each gives, for every kind of
// point Prepare builds (services, a launched client, pod launches).
func TestPreparedPointSharedByReplications(t *testing.T) {
	cases := map[string]string{
		"services": `name = "svc"
duration = "20ms"
warmup = "5ms"
[workload]
kind = "tcp_crr"
target = "service"
streams = 2
[service]
count = 100
`,
		"async-download": `name = "dl"
duration = "50ms"
warmup = "1ms"
[cni]
async_setup = true
setup_delay = "5ms"
[workload]
kind = "http_download"
file_bytes = 1_000_000
`,
		"pod-launch": `name = "pl"
[workload]
kind = "pod_launch"
pods = 20
arrival = "100/s"
`,
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			sc := loadScenario(t, src)
			run, err := Prepare(sc)
			if err != nil {
				t.Fatal(err)
			}
			const reps = 4
			got := make([]string, reps)
			var wg sync.WaitGroup
			for rep := range reps {
				wg.Add(1)
				go func() {
					defer wg.Done()
					s, err := run(context.Background(), rep, 11)
					if err != nil {
						t.Error(err)
					}
					got[rep] = fmt.Sprintf("%+v", s)
				}()
			}
			wg.Wait()
			for rep := range reps {
				s, err := Run(context.Background(), sc, rep, 11)
				if err != nil {
					t.Fatal(err)
				}
				if want := fmt.Sprintf("%+v", s); !reflect.DeepEqual(got[rep], want) {
					t.Errorf("replication %d of the shared point differs from a fresh run", rep)
				}
			}
		})
	}
}
