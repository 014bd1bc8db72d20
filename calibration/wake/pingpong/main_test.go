package main

import (
	"runtime"
	"testing"
)

// TestParseCPUs: two distinct CPUs of this machine, or a clear error.
func TestParseCPUs(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"0,0", false}, {"0", false}, {"0,1,2", false}, {"a,1", false}, {"0,-1", false},
		{"0,100000", false}, {"", false},
	} {
		if _, _, err := parseCPUs(tc.in); (err == nil) != tc.ok {
			t.Errorf("parseCPUs(%q): error %v, want ok %v", tc.in, err, tc.ok)
		}
	}
	if runtime.NumCPU() >= 2 {
		if a, b, err := parseCPUs("1,0"); err != nil || a != 1 || b != 0 {
			t.Errorf(`parseCPUs("1,0") = %d, %d, %v; want 1, 0, nil`, a, b, err)
		}
	}
}

// TestRoundTrip: a short exchange completes on one CPU and takes a
// positive time.
func TestRoundTrip(t *testing.T) {
	us, err := roundTrip(0, 0, 100)
	if err != nil || !(us > 0) {
		t.Errorf("roundTrip(0, 0, 100) = %v us, %v", us, err)
	}
}
