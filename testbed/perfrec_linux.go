//go:build linux

package testbed

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// scriptFields are the perf script fields calibration/perf reads.
const scriptFields = "comm,tid,cpu,time,period,event,ip,sym,dso"

// recorder is a perf record of one CPU running in the background.
type recorder struct {
	cmd  *exec.Cmd
	data string
	log  strings.Builder
}

// startPerf starts `perf record -e cpu-clock -c periodNS -C cpu -g -k
// CLOCK_MONOTONIC` (cpu-clock: there is no PMU in this VM) and returns
// once perf has written its header (it takes a second or more to start on
// a loaded VM; the counters are read after that, so the window is inside
// the recording).
func startPerf(ctx context.Context, data string, cpus []int, periodNS int, maxDur time.Duration) (*recorder, error) {
	list := make([]string, len(cpus))
	for i, c := range cpus {
		list[i] = strconv.Itoa(c)
	}
	r := &recorder{data: data}
	r.cmd = exec.CommandContext(ctx, "perf", "record", "-q", "-e", "cpu-clock", "-c", fmt.Sprint(periodNS),
		"-C", strings.Join(list, ","), "-g", "-k", "CLOCK_MONOTONIC", "-o", data, "--", "sleep", fmt.Sprint(int(maxDur.Seconds())+1))
	r.cmd.Stdout, r.cmd.Stderr = &r.log, &r.log
	r.cmd.Cancel = func() error { return r.cmd.Process.Signal(syscall.SIGINT) }
	r.cmd.WaitDelay = 5 * time.Second
	_ = os.Remove(data)
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("perf record: %w", err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if st, err := os.Stat(data); err == nil && st.Size() > 0 {
			time.Sleep(300 * time.Millisecond) // events enabled right after the header
			return r, nil
		}
		if time.Now().After(deadline) {
			r.stop()
			return nil, fmt.Errorf("perf record did not start within 15 s: %s", r.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop ends the recording (SIGINT: perf writes its data and exits).
func (r *recorder) stop() error {
	_ = r.cmd.Process.Signal(syscall.SIGINT)
	err := r.cmd.Wait()
	if st, serr := os.Stat(r.data); serr == nil && st.Size() > 0 {
		return nil // perf exits non-zero on SIGINT of its workload
	}
	return fmt.Errorf("perf record: %v: %s", err, r.log.String())
}

// sampleCounts are a window's samples by comm.
type sampleCounts struct{ traffic, ksoftirqd, idle, other int }

// busyCycles is the traffic's and ksoftirqd's samples as cycles.
func (n sampleCounts) busyCycles(periodNS int, ghz float64) float64 {
	return float64(n.traffic+n.ksoftirqd) * float64(periodNS) * ghz
}

// rrCPU is an RR run's RRCPU from the samples of its script and the
// recorded CPUs' idle seconds over its window (/proc/stat).
func (n sampleCounts) rrCPU(script string, periodNS int, ghz, idleS float64) RRCPU {
	return RRCPU{RRScript: script, RRBusyCycles: n.busyCycles(periodNS, ghz), RRSamplesIdle: n.idle, RRSamplesOther: n.other,
		RRIdleUnsampledS: max(0, idleS-float64(n.idle)*float64(periodNS)/1e9)}
}

// writeScript runs perf script over [t0, t1] and writes it gzipped to
// out: samples of the traffic's comms, ksoftirqd and idle whole, others
// with their header and leaf frame only (filters and totals see them, the
// file stays small), as capture.sh does. It counts samples by comm.
func writeScript(ctx context.Context, data, out string, t0, t1 float64, comm string, ksoftirqd []string) (sampleCounts, error) {
	var n sampleCounts
	cmd := exec.CommandContext(ctx, "perf", "script", "-i", data, "--time", fmt.Sprintf("%.6f,%.6f", t0, t1), "-F", scriptFields)
	var errb strings.Builder
	cmd.Stderr = &errb
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return n, err
	}
	if err := cmd.Start(); err != nil {
		return n, fmt.Errorf("perf script: %w", err)
	}
	f, err := os.Create(out + ".tmp")
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return n, err
	}
	zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	w := bufio.NewWriter(zw)
	err = filterScript(pipe, w, comm, ksoftirqd, &n)
	_, _ = io.Copy(io.Discard, pipe)
	werr := cmd.Wait()
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && werr != nil {
		err = fmt.Errorf("perf script: %v: %s", werr, errb.String())
	}
	if err != nil {
		os.Remove(out + ".tmp")
		return n, err
	}
	return n, os.Rename(out+".tmp", out)
}

// filterScript copies perf script text (blank-line separated samples,
// first line the header "comm tid cpu time: ...") keeping only the header
// and leaf frame of samples of other comms.
func filterScript(r io.Reader, w io.Writer, comm string, ksoftirqd []string, n *sampleCounts) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var cur []string
	flush := func() error {
		if len(cur) == 0 {
			return nil
		}
		keep := cur
		switch c := strings.Fields(cur[0])[0]; {
		case c == comm:
			n.traffic++
		case slices.Contains(ksoftirqd, c):
			n.ksoftirqd++
		case c == "swapper":
			n.idle++
		default:
			n.other++
			keep = cur[:min(2, len(cur))]
		}
		for _, l := range keep {
			if _, err := io.WriteString(w, l+"\n"); err != nil {
				return err
			}
		}
		cur = cur[:0]
		_, err := io.WriteString(w, "\n")
		return err
	}
	for sc.Scan() {
		l := sc.Text()
		if strings.TrimSpace(l) == "" {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		if len(cur) == 0 && strings.HasPrefix(l, "\t") {
			continue // a frame without a header: not a sample
		}
		cur = append(cur, l)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return flush()
}
