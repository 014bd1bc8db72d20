package main

import (
	"encoding/json"
	"runtime"
	"strings"
	"testing"
)

// TestCalibrateClock: the clock comes out as JSON with its slices, the
// table names the clock, and bad flags exit 2 naming the flag and the
// allowed values.
func TestCalibrateClock(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the probe needs Linux")
	}
	code, stdout, stderr := invoke("calibrate", "clock", "--seconds", "0.3", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r struct {
		GHz    float64   `json:"ghz"`
		Steps  uint64    `json:"steps"`
		Slices []float64 `json:"slices"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if !(r.GHz > 0.1 && r.GHz < 10) || r.Steps == 0 || len(r.Slices) == 0 {
		t.Errorf("%+v", r)
	}
	if code, stdout, stderr := invoke("calibrate", "clock", "--seconds", "0.2", "--cpu", "0"); code != 0 || !strings.HasPrefix(stdout, "clock ") || !strings.Contains(stdout, " GHz") {
		t.Errorf("exit %d: %q %s", code, stdout, stderr)
	}
	for _, tt := range []struct{ args, want string }{
		{"--seconds 0", "--seconds must be in (0, 3600]"},
		{"--seconds 7200", "--seconds must be in (0, 3600]"},
		{"--cpu 4096", "--cpu must be -1 or a CPU of this machine"},
		{"--format csv", "--format must be table or json"},
		{"extra", "no arguments"},
	} {
		code, _, stderr := invoke(append([]string{"calibrate", "clock"}, strings.Fields(tt.args)...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%s: exit %d, stderr %q, want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
}
