package testbed

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/cnisim/cnisim/models/tcp"
	"github.com/cnisim/cnisim/sim"
)

// The timers benchmark: when this kernel's TCP timers fire. A connection
// over a veth pair exchanges one-byte messages (its SRTT settles at a few
// tens of microseconds), then the receiver's namespace drops everything
// the sender sends (nftables) and the sender writes a flight of full
// segments: the tail loss probe follows, then the retransmission
// timeout. The sender's TCP_INFO, polled from a spinning thread, dates
// both by its retransmission count. What the kernel does against the
// simulator's model of it (models/tcp/jiffies.go, tcp.hz): the probe 2
// SRTT + 2 ms after a flight of several segments, 2 SRTT + the minimum RTO
// after a lone one (whose ACK the peer may delay), at most the RTO; the
// RTO after the probe; each rounded to jiffies and fired one tick after
// its expiry.
const (
	// TimersFlight is the flight's segments by default: more than one,
	// so the probe waits 2 SRTT + TCP_TIMEOUT_MIN, not the minimum RTO.
	TimersFlight = 10
	// TimersMaxFlight bounds --segments: the initial window, so that the
	// flight leaves at once.
	TimersMaxFlight = 10
	// TimersFile is the run's measurements.
	TimersFile = "timers.json"
	// TimersMaxTries bounds --tries (each about 0.3 s).
	TimersMaxTries = 1000
	// timersTolerance is what the table allows a measured time beyond the
	// model's interval: the timer softirq's latency after the tick and
	// the poll's.
	timersTolerance = 500 * time.Microsecond
)

// TimersOptions are the timers benchmark's settings.
type TimersOptions struct {
	Tries    int
	Segments int // the flight, 1..TimersMaxFlight
	Command  string
	Log      io.Writer
	LockWait time.Duration
}

// Validate checks the options.
func (o TimersOptions) Validate() error {
	if o.Tries < 1 || o.Tries > TimersMaxTries {
		return fmt.Errorf("tries: %d is not in 1..%d", o.Tries, TimersMaxTries)
	}
	if o.Segments < 1 || o.Segments > TimersMaxFlight {
		return fmt.Errorf("segments: %d is not in 1..%d", o.Segments, TimersMaxFlight)
	}
	return nil
}

// TimersRun is timers.json.
type TimersRun struct {
	Command  string      `json:"command"`
	Date     string      `json:"date"`
	Kernel   string      `json:"kernel"`
	HZ       int         `json:"hz"`                 // CONFIG_HZ; 0 when the kernel's configuration is not readable
	Segments int         `json:"segments,omitempty"` // the flight (0: TimersFlight, before it was recorded)
	CPUModel string      `json:"cpu_model"`
	Loadavg  string      `json:"loadavg"`
	Tries    []TimersTry `json:"tries"`
}

// TimersTry is one flight: the sender's TCP_INFO before it (SRTT and
// RTO), how long after the write returned the probe left, and how long
// after the probe the RTO's retransmission did; microseconds.
type TimersTry struct {
	SRTTUS  int64   `json:"srtt_us"`
	RTOUS   int64   `json:"rto_us"`
	ProbeUS float64 `json:"probe_us"`
	RTOFire float64 `json:"rto_after_probe_us"`
}

// TimersPrediction is what the model says of a try: the probe and the
// RTO with exact timers, and with hz the interval (lo, hi] each fires in.
type TimersPrediction struct {
	ProbeExact, ProbeLo, ProbeHi float64
	RTOExact, RTOLo, RTOHi       float64
}

// PredictTimers is the model's prediction for a try of a flight of
// segments on a kernel with hz (models/tcp jiffies.go and recovery.go:
// the probe 2 SRTT + 2 ms, or 2 SRTT + the minimum RTO for a lone
// segment, at most the RTO; the RTO as TCP_INFO reports it; a timeout of
// N jiffies fires N to N+1 jiffies after it is armed). With hz 0 the
// intervals are the exact times.
func PredictTimers(t TimersTry, hz, segments int) TimersPrediction {
	wait := float64(timeoutMinUS)
	if segments == 1 {
		wait = rtoMinUS
	}
	probe := min(float64(2*t.SRTTUS)+wait, float64(t.RTOUS))
	p := TimersPrediction{ProbeExact: probe, RTOExact: float64(t.RTOUS)}
	p.ProbeLo, p.ProbeHi, p.RTOLo, p.RTOHi = probe, probe, p.RTOExact, p.RTOExact
	if hz > 0 {
		jiffy := 1e6 / float64(hz)
		n := math.Ceil(probe / jiffy)
		p.ProbeLo, p.ProbeHi = n*jiffy, (n+1)*jiffy
		m := math.Ceil(p.RTOExact / jiffy)
		p.RTOLo, p.RTOHi = m*jiffy, (m+1)*jiffy
	}
	return p
}

// timeoutMinUS is Linux's TCP_TIMEOUT_MIN_US (models/tcp's timeoutMin);
// rtoMinUS its TCP_RTO_MIN, the default of net.ipv4.tcp_rto_min_us
// (tcp.Options.MinRTO's default).
const (
	timeoutMinUS = 2000
	rtoMinUS     = 200_000
)

// flight is the run's flight in segments.
func (r *TimersRun) flight() int {
	if r.Segments == 0 {
		return TimersFlight
	}
	return r.Segments
}

// TimersSummary is a run's table.
type TimersSummary struct {
	Tries                             int
	ProbeP10, ProbeP50, ProbeP90      float64 // measured, ms
	ProbeExact                        float64 // the exact model's mean, ms
	ProbeLo, ProbeHi                  float64 // the ticked model's interval of the median try, ms
	ProbeWithin                       float64 // fraction of tries within their ticked interval (and tolerance)
	ProbeMeanErrExact, ProbeMeanErrHZ float64 // mean error of the exact and ticked models' means, %
	RTOP50, RTOExact, RTOLo, RTOHi    float64 // ms
	RTOWithin                         float64
}

// SummarizeTimers compares a run's tries with the model's prediction.
func SummarizeTimers(r *TimersRun) TimersSummary {
	s := TimersSummary{Tries: len(r.Tries)}
	if s.Tries == 0 {
		return s
	}
	var probes, rtos []float64
	var measSum, exactSum, hzSum float64
	within, rtoWithin := 0, 0
	tol := float64(timersTolerance.Microseconds())
	for _, t := range r.Tries {
		p := PredictTimers(t, r.HZ, r.flight())
		probes = append(probes, t.ProbeUS/1000)
		rtos = append(rtos, t.RTOFire/1000)
		measSum += t.ProbeUS
		exactSum += p.ProbeExact
		hzSum += (p.ProbeLo + p.ProbeHi) / 2
		if t.ProbeUS > p.ProbeLo-tol && t.ProbeUS <= p.ProbeHi+tol {
			within++
		}
		if t.RTOFire > p.RTOLo-tol && t.RTOFire <= p.RTOHi+tol {
			rtoWithin++
		}
	}
	n := float64(s.Tries)
	s.ProbeP10, s.ProbeP50, s.ProbeP90 = sim.Quantile(0.1, probes), sim.Quantile(0.5, probes), sim.Quantile(0.9, probes)
	s.ProbeExact = exactSum / n / 1000
	mid := PredictTimers(r.Tries[len(r.Tries)/2], r.HZ, r.flight())
	s.ProbeLo, s.ProbeHi = mid.ProbeLo/1000, mid.ProbeHi/1000
	s.ProbeWithin = float64(within) / n
	s.ProbeMeanErrExact = 100 * (exactSum - measSum) / measSum
	s.ProbeMeanErrHZ = 100 * (hzSum - measSum) / measSum
	s.RTOP50 = sim.Quantile(0.5, rtos)
	s.RTOExact, s.RTOLo, s.RTOHi = mid.RTOExact/1000, mid.RTOLo/1000, mid.RTOHi/1000
	s.RTOWithin = float64(rtoWithin) / n
	return s
}

// WriteTimersTable prints the comparison.
func WriteTimersTable(w io.Writer, r *TimersRun) error {
	s := SummarizeTimers(r)
	hz := fmt.Sprint(r.HZ)
	if r.HZ == 0 {
		hz = "unknown (exact timers)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "TCP timers on kernel %s (CONFIG_HZ %s, %s), %s: %d flights of %d x 1448 bytes, each lost whole.\n\n",
		r.Kernel, hz, r.CPUModel, r.Date, s.Tries, r.flight())
	b.WriteString("| timer | measured p10 / p50 / p90 ms | model, exact timers ms | model, tcp.hz ms | within the tcp.hz interval | mean error exact / tcp.hz |\n|---|---|---|---|---|---|\n")
	fmt.Fprintf(&b, "| tail loss probe after the flight | %.2f / %.2f / %.2f | %.2f | (%.0f, %.0f] | %.0f%% | %+.0f%% / %+.0f%% |\n",
		s.ProbeP10, s.ProbeP50, s.ProbeP90, s.ProbeExact, s.ProbeLo, s.ProbeHi, 100*s.ProbeWithin, s.ProbeMeanErrExact, s.ProbeMeanErrHZ)
	fmt.Fprintf(&b, "| RTO after the probe | - / %.2f / - | %.2f | (%.0f, %.0f] | %.0f%% | |\n",
		s.RTOP50, s.RTOExact, s.RTOLo, s.RTOHi, 100*s.RTOWithin)
	fmt.Fprintf(&b, "\nWithin: the measured time in the model's interval for that try's SRTT and RTO, allowing %v for the timer softirq and the poll.\n", timersTolerance)
	_, err := io.WriteString(w, b.String())
	return err
}

// Save writes timers.json in dir, whole or not at all.
func (r *TimersRun) Save(dir string) error {
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return writeWhole(filepath.Join(dir, TimersFile), append(b, '\n'))
}

// LoadTimers reads and checks dir/timers.json.
func LoadTimers(dir string) (*TimersRun, error) {
	p := filepath.Join(dir, TimersFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	return ParseTimers(p, b)
}

// ParseTimers reads a timers.json's bytes (name starts every error) and
// checks them.
func ParseTimers(name string, b []byte) (*TimersRun, error) {
	var r TimersRun
	if err := parseRecord(name, b, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// check validates a loaded run; errors name the field.
func (r *TimersRun) check() error {
	if !slices.Contains(tcp.KernelHZs, r.HZ) {
		return fmt.Errorf("hz: %d is not one of %v (0: not readable)", r.HZ, tcp.KernelHZs)
	}
	if r.Segments < 0 || r.Segments > TimersMaxFlight {
		return fmt.Errorf("segments: %d is not in 0..%d (0: %d)", r.Segments, TimersMaxFlight, TimersFlight)
	}
	if len(r.Tries) == 0 || len(r.Tries) > TimersMaxTries {
		return fmt.Errorf("tries: %d, want 1..%d", len(r.Tries), TimersMaxTries)
	}
	inRange := func(v, hi float64) bool { return v >= 0 && v <= hi } // false for NaN
	for i, t := range r.Tries {
		switch {
		case t.SRTTUS < 1 || t.SRTTUS > 10_000_000:
			return fmt.Errorf("tries[%d].srtt_us: %d is not in 1..10000000", i, t.SRTTUS)
		case t.RTOUS < 1 || t.RTOUS > 120_000_000:
			return fmt.Errorf("tries[%d].rto_us: %d is not in 1..120000000 (TCP_RTO_MAX)", i, t.RTOUS)
		case !inRange(t.ProbeUS, 10_000_000):
			return fmt.Errorf("tries[%d].probe_us: %v is not in 0..10000000", i, t.ProbeUS)
		case !inRange(t.RTOFire, 130_000_000):
			return fmt.Errorf("tries[%d].rto_after_probe_us: %v is not in 0..130000000", i, t.RTOFire)
		}
	}
	return nil
}
