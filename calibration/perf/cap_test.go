package perf

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"math"
	"strings"
	"testing"
)

// The text of a perf script is capped after decompression: a gzip bomb
// (issue 19: 4.5 MB inflating without bound) fails with errTooLarge once
// the cap is passed, instead of being read to its end; plain text too.
func TestOpenTextCap(t *testing.T) {
	t.Parallel()
	text := strings.Repeat("swapper 0 [000] 1.000000: 1 cpu-clock:\n\tffffffff81000000 default_idle+0x0 ([kernel.kallsyms])\n\n", 200)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(text))
	zw.Close()
	for _, c := range []struct {
		name  string
		in    []byte
		limit int64
		fail  bool
	}{
		{"plain under", []byte(text), int64(len(text)), false},
		{"plain over", []byte(text), int64(len(text)) - 1, true},
		{"gzip under", gz.Bytes(), int64(len(text)), false},
		{"gzip over", gz.Bytes(), 1000, true},
	} {
		r, err := openTextCap(bytes.NewReader(c.in), c.limit)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := io.ReadAll(r)
		switch {
		case c.fail && !errors.Is(err, errTooLarge):
			t.Errorf("%s: err %v, want errTooLarge", c.name, err)
		case !c.fail && (err != nil || string(got) != text):
			t.Errorf("%s: %d bytes, %v", c.name, len(got), err)
		}
	}
	if MaxScriptBytes < 20<<20*10 {
		t.Errorf("MaxScriptBytes %d is under 10x the largest real capture", MaxScriptBytes)
	}
}

// Periods are bounded per sample, so no sum of them reaches +Inf (issue
// 19: huge periods printed "+Inf" and failed JSON); the bound itself
// passes and gives finite results.
func TestPeriodBound(t *testing.T) {
	t.Parallel()
	ok := scriptSpec{counts: []stageCount{{"veth", 3}, {"tcp", 1}}, period: MaxPeriod, event: "cycles:ppp"}
	r := analyze(t, ok.text(), Options{Packets: 10, CPUGHz: 3.0})
	if math.IsInf(stage(r, "veth").CPP, 0) || math.IsNaN(stage(r, "veth").CPP) {
		t.Errorf("veth %v", stage(r, "veth").CPP)
	}
	bad := scriptSpec{counts: []stageCount{{"veth", 3}}, period: 2 * MaxPeriod, event: "cycles:ppp"}
	_, err := Analyze(strings.NewReader(bad.text()), Options{Packets: 10, CPUGHz: 3.0})
	if err == nil || !strings.Contains(err.Error(), "larger than 1e+15") {
		t.Errorf("got %v", err)
	}
	for _, o := range []Options{{Packets: 1, CPUGHz: 1, Period: 1e16}, {Packets: 1, CPUGHz: 1, Freq: 1e-300, Event: EventCPUClock}} {
		if err := o.check(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}
