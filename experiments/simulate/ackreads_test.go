package simulate_test

import (
	"bufio"
	"cmp"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// ackRun is a line of calibration/acks/one-core.sh's output: the kernel's
// ACKs for a paced one-core stream read in calls of readBytes.
type ackRun struct {
	rateMbps, readBytes int
	acksPerPacket       float64
}

func loadAckRuns(t *testing.T, file string) []ackRun {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var runs []ackRun
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		f := strings.Fields(sc.Text())
		if len(f) != 7 {
			t.Fatalf("%s:%d: %d fields, want 7", file, line, len(f))
		}
		rate, err1 := strconv.Atoi(f[0])
		read, err2 := strconv.Atoi(f[1])
		ratio, err3 := strconv.ParseFloat(f[4], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			t.Fatalf("%s:%d: %q", file, line, sc.Text())
		}
		runs = append(runs, ackRun{rate, read, ratio})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return runs
}

// TestAckReadSizeKernel sets the Linux ACK policy's ACKs beside the
// kernel's for a paced one-core stream by the reader's call size
// (calibration/acks/testdata/run1.txt, this VM's kernel, the captures'
// traffic on one veth pair): with 16 or 32 KiB reads the kernel sends two
// ACKs a 64 KiB write (0.0435 a packet: its reader's first call's, and
// one at the next write's second segment, README "TCP and UDP"), with
// 64 KiB reads about one (0.022-0.029; the median of three runs each).
// The model, whose one core serves the reader's copies in line with the
// softirqs, sends 0.025-0.034 whatever the read size (README "Limits of
// the model"). A prediction: nothing is fitted to the kernel's ACKs; the
// bound only catches a model that moves far from them (an ACK every
// second segment would be 0.5). Unpaced (rate 0), where the kernel sends
// one ACK per read call, the model sends one per two segments: logged,
// not bounded.
func TestAckReadSizeKernel(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates the kernel run's configurations")
	}
	t.Parallel()
	runs := loadAckRuns(t, "../../calibration/acks/testdata/run1.txt")
	// one capture's profile for the path's costs: routed, this VM kind on
	// an Intel host, as the kernel run was taken
	var c capture
	for _, k := range loadCaptures(t) {
		if strings.HasSuffix(k.dir, "/series-host3-ref") && k.Name == "ipt-legacy-0" {
			c = k
		}
	}
	if c.Name == "" {
		t.Fatal("no series-host3-ref/ipt-legacy-0 capture")
	}
	type key struct{ rate, read int }
	measured := map[key][]float64{}
	for _, r := range runs {
		k := key{r.rateMbps, r.readBytes}
		measured[k] = append(measured[k], r.acksPerPacket)
	}
	keys := slices.SortedFunc(maps.Keys(measured), func(a, b key) int { return cmp.Or(cmp.Compare(a.rate, b.rate), cmp.Compare(a.read, b.read)) })
	for _, k := range keys {
		m := measured[k]
		r := simulateCapture(t, c, capturePlugins[c.Topology], func(t *testing.T, sc *scenario.Scenario, _ capture) {
			sc.TCP.AckPolicy = "linux"
			sc.Workload.RateMbps = float64(k.rate)
			sc.Workload.ReadBytes = k.read
		})
		slices.Sort(m)
		med := m[len(m)/2]
		t.Logf("%d Mbit/s, %d-byte reads: kernel %.4f ACKs a packet (%d runs), model %.4f (%+.0f%%)",
			k.rate, k.read, med, len(m), r.simulatedAcks, 100*(r.simulatedAcks/med-1))
		if k.rate == 0 {
			// unpaced, the sender keeps the core busy and the kernel's
			// reader runs in its time slices, one ACK per read call; the
			// model's reader keeps up segment by segment and ACKs every
			// second one (0.5): a known gap, reported, not bounded
			continue
		}
		if math.Abs(math.Log(r.simulatedAcks/med)) > math.Log(2) {
			t.Errorf("%d Mbit/s, %d-byte reads: model %.4f ACKs a packet, kernel %.4f: beyond a factor of 2", k.rate, k.read, r.simulatedAcks, med)
		}
	}
}
