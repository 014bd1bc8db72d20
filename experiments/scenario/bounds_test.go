package scenario

import (
	"fmt"
	"strings"
	"testing"
)

// Every bounded key: its bound passes validation, one step past it is
// refused with a message naming the key and the bound (issue 19: values
// past int64 picoseconds wrapped, tiny rates divided by almost zero).
func TestBounds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		key       string
		ok, bad   any
		wantInMsg string
	}{
		{"duration", "168h", "168h0m0.001s", "up to 168h0m0s"},
		{"duration", "10s", "18446744173709552ns", "up to 168h0m0s"},
		{"warmup", "1s", "3000h", "up to 168h0m0s"},
		{"cni.setup_delay", "168h", "3000h", "up to 168h0m0s"},
		{"cluster.link_delay", "168h", "169h", "up to 168h0m0s"},
		{"cluster.cpu_ghz", MinCPUGHz, 1e-300, "0.01..100"},
		{"cluster.cpu_ghz", float64(MaxCPUGHz), 101.0, "0.01..100"},
		{"cluster.link_gbps", MinLinkGbps, 1e-300, "0.001..100000"},
		{"cluster.link_gbps", float64(MaxLinkGbps), 1e300, "0.001..100000"},
		{"cluster.qdisc_packets", int64(MaxQdiscPackets), int64(MaxQdiscPackets + 1), "1..1000000"},
		{"cni.policy_rules", int64(MaxPolicyRules), int64(MaxPolicyRules + 1), "0..1000000"},
		{"tcp.rmem", int64(MaxSocketBytes), int64(MaxSocketBytes + 1), "4096..1073741824"},
		{"tcp.min_rto", "1us", "0s", "allowed: 1us..2m0s"},
		{"tcp.min_rto", "120s", "121s", "allowed: 1us..2m0s"},
		{"tcp.wmem", int64(MaxSocketBytes), int64(1) << 62, "4096..1073741824"},
		{"calibration.cycles.tcp", float64(MaxCycles), 2.2e16, "0..1e+10"},
		{"calibration.cycles.vxlan", 0.0, 1e308, "0..1e+10"},
		{"calibration.scale.vxlan", 0.0, -0.5, "0..100"},
		{"calibration.scale.netfilter", float64(MaxScale), 100.5, "0..100"},
		{"workload.rate_mbps", 0.0, 1e-300, "0.001..1e+08"},
		{"workload.rate_mbps", float64(MaxRateMbps), 1e9, "0.001..1e+08"},
		{"workload.file_bytes", int64(MaxFileBytes), int64(MaxFileBytes + 1), "1..1099511627776"},
		{"workload.server.cycles_per_request", float64(MaxCycles), 1e11, "0..1e+10"},
		{"workload.server.cycles_per_byte", float64(MaxCyclesPerByte), 1001.0, "0..1000"},
		{"workload.arrival", "1000000/s", "1e-9/s", "0.001/s..1e+06/s"},
		{"workload.arrival", "poisson:0.001/s", "poisson:1e7/s", "0.001/s..1e+06/s"},
		{"workload.arrival", "sequential", "10 /s", `a rate such as "10/s"`},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s=%v", c.key, c.bad), func(t *testing.T) {
			set := func(v any) error {
				s := Defaults()
				s.Name = "b"
				if c.key == "warmup" {
					s.Duration = MaxDuration
				}
				if err := s.assign(c.key, v); err != nil {
					t.Fatalf("assign %v: %v", v, err)
				}
				return s.validate().err()
			}
			if err := set(c.ok); err != nil {
				t.Errorf("bound %v refused: %v", c.ok, err)
			}
			err := set(c.bad)
			if err == nil {
				t.Fatalf("%v accepted", c.bad)
			}
			if msg := err.Error(); !strings.Contains(msg, c.key) || !strings.Contains(msg, c.wantInMsg) || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line naming %s and %q", msg, c.key, c.wantInMsg)
			}
		})
	}
}

// pods / rate past MaxDuration is refused: the last creation would come
// after the bound on simulated time.
func TestArrivalSpan(t *testing.T) {
	t.Parallel()
	s := Defaults()
	s.Name = "b"
	s.Workload.Pods, s.Workload.Arrival = 1_000_000, "0.001/s"
	if err := s.validate().err(); err == nil || !strings.Contains(err.Error(), "workload.arrival") {
		t.Errorf("got %v", err)
	}
}

// The point count is computed with saturating multiplication: a sweep
// whose product overflows int64 is refused before expansion, even
// without a MaxPoints option (--yes).
func TestPointCountOverflow(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("[sweep]\n")
	vals := make([]string, 1000)
	for i := range vals {
		vals[i] = fmt.Sprint(4096 + i)
	}
	for _, k := range []string{"tcp.rmem", "tcp.wmem", "workload.message_bytes", "cluster.qdisc_packets", "cni.policy_rules", "workload.streams", "cluster.mtu"} {
		fmt.Fprintf(&b, "%q = [%s]\n", k, strings.Join(vals, ", "))
	}
	_, err := Load("f.toml", []byte(b.String()), Options{})
	if err == nil || !strings.Contains(err.Error(), "over 10^15 points") {
		t.Fatalf("got %v", err)
	}
	if got := satMul(pointsCap, 2); got != pointsCap {
		t.Errorf("satMul saturates at %d, got %d", pointsCap, got)
	}
	if got := satMul(1<<40, 1<<40); got != pointsCap {
		t.Errorf("satMul(2^40, 2^40) = %d", got)
	}
}

// A sweep with a million bad values prints at most maxErrors lines and
// says how many more.
func TestErrorListCapped(t *testing.T) {
	t.Parallel()
	vals := make([]string, 20_000)
	for i := range vals {
		vals[i] = fmt.Sprintf("%q", fmt.Sprint("x", i))
	}
	src := "[sweep]\n\"cluster.mtu\" = [" + strings.Join(vals, ", ") + "]\n"
	_, err := Load("f.toml", []byte(src), Options{})
	if err == nil {
		t.Fatal("accepted")
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxErrors+1 || lines[maxErrors] != "... and 19990 more errors" {
		t.Errorf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
}
