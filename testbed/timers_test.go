package testbed

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/internal/golden"
)

func TestTimersOptionsValidate(t *testing.T) {
	for _, c := range []struct {
		tries, segments int
		msg             string
	}{
		{1, 1, ""}, {TimersMaxTries, TimersMaxFlight, ""},
		{0, 10, "tries: 0 is not in 1..1000"}, {TimersMaxTries + 1, 10, "tries: 1001 is not in 1..1000"},
		{1, 0, "segments: 0 is not in 1..10"}, {1, 11, "segments: 11 is not in 1..10"},
	} {
		err := TimersOptions{Tries: c.tries, Segments: c.segments}.Validate()
		if (err == nil) != (c.msg == "") || err != nil && !strings.Contains(err.Error(), c.msg) {
			t.Errorf("tries %d, segments %d: %v, want %q", c.tries, c.segments, err, c.msg)
		}
	}
}

// TestPredictTimers: the probe is 2 SRTT + 2 ms (2 SRTT + 200 ms for a
// lone segment, at most the RTO), rounded up to jiffies and fired within
// the jiffy after; the RTO likewise.
func TestPredictTimers(t *testing.T) {
	for _, c := range []struct {
		try                    TimersTry
		hz, segments           int
		probeExact, lo, hi     float64
		rtoExact, rtoLo, rtoHi float64
	}{
		{TimersTry{SRTTUS: 30, RTOUS: 204000}, 250, 10, 2060, 4000, 8000, 204000, 204000, 208000},
		{TimersTry{SRTTUS: 30, RTOUS: 204000}, 0, 10, 2060, 2060, 2060, 204000, 204000, 204000},
		{TimersTry{SRTTUS: 30, RTOUS: 201000}, 1000, 2, 2060, 3000, 4000, 201000, 201000, 202000},
		{TimersTry{SRTTUS: 1500, RTOUS: 210000}, 100, 10, 5000, 10000, 20000, 210000, 210000, 220000},
		{TimersTry{SRTTUS: 30, RTOUS: 204000}, 250, 1, 200060, 204000, 208000, 204000, 204000, 208000},
		{TimersTry{SRTTUS: 3000, RTOUS: 204000}, 250, 1, 204000, 204000, 208000, 204000, 204000, 208000}, // the RTO comes first
	} {
		p := PredictTimers(c.try, c.hz, c.segments)
		want := TimersPrediction{c.probeExact, c.lo, c.hi, c.rtoExact, c.rtoLo, c.rtoHi}
		if p != want {
			t.Errorf("%+v at HZ %d, %d segments: %+v, want %+v", c.try, c.hz, c.segments, p, want)
		}
	}
}

// TestSummarizeTimers: tries inside and outside the model's interval are
// counted as such, and the means' errors follow.
func TestSummarizeTimers(t *testing.T) {
	r := &TimersRun{Kernel: "k", HZ: 250, Date: "d", CPUModel: "cpu", Tries: []TimersTry{
		{SRTTUS: 30, RTOUS: 204000, ProbeUS: 5000, RTOFire: 208000},
		{SRTTUS: 30, RTOUS: 204000, ProbeUS: 7000, RTOFire: 208100},
		{SRTTUS: 30, RTOUS: 204000, ProbeUS: 11000, RTOFire: 210000},
		{SRTTUS: 30, RTOUS: 204000, ProbeUS: 1000, RTOFire: 203000},
	}}
	s := SummarizeTimers(r)
	if s.Tries != 4 || s.ProbeWithin != 0.5 || s.RTOWithin != 0.5 || s.ProbeLo != 4 || s.ProbeHi != 8 {
		t.Errorf("%+v: want 4 tries, half of each within (4, 8] and (204, 208]", s)
	}
	// measured mean 6 ms; exact 2.06 ms; ticked 6 ms
	if d := s.ProbeMeanErrExact - 100*(2.06-6)/6; d > 1e-9 || d < -1e-9 || s.ProbeMeanErrHZ != 0 {
		t.Errorf("mean errors %v / %v, want %v / 0", s.ProbeMeanErrExact, s.ProbeMeanErrHZ, 100*(2.06-6)/6)
	}
	var b strings.Builder
	if err := WriteTimersTable(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CONFIG_HZ 250", "| tail loss probe after the flight | ", "| (4, 8] | 50% | -66% / +0% |", "| RTO after the probe | - / 208.00 / - | 204.00 | (204, 208] | 50% |"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

// TestTimersRecorded: the committed runs parse, their tables are the ones
// beside them (the measured columns pinned), and most of their probes
// and RTOs fall in the model's intervals.
func TestTimersRecorded(t *testing.T) {
	for _, c := range []struct {
		dir      string
		segments int
	}{{"testdata/timers-run1", 10}, {"testdata/timers-run2", 1}} {
		t.Run(c.dir, func(t *testing.T) {
			dir := c.dir
			r, err := LoadTimers(dir)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if err := WriteTimersTable(&b, r); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, dir+"/timers.md", []byte(b.String()))
			if s := SummarizeTimers(r); r.HZ != 250 || r.flight() != c.segments || s.ProbeWithin < 0.8 || s.RTOWithin < 0.9 {
				t.Errorf("HZ %d, %d segments, %.0f%% of probes and %.0f%% of RTOs within the model's intervals: the recorded run says 250, %d and at least 90%% of each", r.HZ, r.flight(), 100*s.ProbeWithin, 100*s.RTOWithin, c.segments)
			}
		})
	}
}

// FuzzParseTimers: a timers.json is read or refused with an error naming
// the file, never a panic; what is read checks clean after a round trip
// and summarises.
func FuzzParseTimers(f *testing.F) {
	f.Add([]byte(`{"hz":250,"tries":[{"srtt_us":30,"rto_us":204000,"probe_us":5000,"rto_after_probe_us":208000}]}`))
	f.Add([]byte(`{"hz":0,"tries":[{"srtt_us":1,"rto_us":1,"probe_us":0,"rto_after_probe_us":0}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseTimers("t.json", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "t.json: ") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ParseTimers("again", again); err != nil {
			t.Fatalf("round trip: %v", err)
		}
		_ = SummarizeTimers(r)
		var sb strings.Builder
		if err := WriteTimersTable(&sb, r); err != nil {
			t.Fatal(err)
		}
	})
}
