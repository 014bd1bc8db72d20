package fit

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/internal/golden"
	dp "github.com/cnisim/cnisim/models/datapath"
)

// exampleCosts generate testdata/example.csv: the generic inter-host
// entries of calibration/profiles/paper.toml at 2.4 GHz for the paper's
// stages, and illustrative values for the generic kernel stages (which the
// paper profile folds into its quoted ones).
var exampleCosts = map[dp.Kind]float64{
	dp.Veth: 45, dp.Bridge: 250, dp.FIB: 70, dp.IPForward: 640, dp.Netfilter: 1467, dp.EBPF: 775,
	dp.VXLAN: 900, dp.Geneve: 900, dp.IPIP: 250, dp.GRE: 275, dp.OVS: 250, dp.Userspace: 2000,
	dp.TCP: 200, dp.SocketCopy: 0, dp.NIC: 150,
	dp.Netdev: 60, dp.IPRcv: 150, dp.Neigh: 50, dp.Skb: 120, dp.SoftirqEntry: 90, dp.Sched: 500, dp.Syscall: 350,
}

var exampleBytes = map[dp.Kind]float64{dp.SocketCopy: 0.2, dp.Userspace: 0.25}

// exampleConfigs are the measured configurations: each at MTU 1500 with
// Linux's delayed ACK (0.5 per data packet) and at MTU 9000 with stretch
// ACKs (0.02).
var exampleConfigs = []string{
	"host,host,intra", "host,host,inter", "flannel,vxlan,intra", "flannel,vxlan,inter", "flannel,udp,inter",
	"flannel,host-gw,inter", "weave,fastdp,inter", "weave,sleeve,inter", "cilium,vxlan,intra", "cilium,vxlan,inter",
	"cilium,geneve,inter", "cilium,native,inter", "calico,ipip,intra", "calico,ipip,inter", "calico,vxlan,inter",
	"calico,native,inter", "kube-router,native,inter", "kube-router,ipip,inter", "kube-router,gre,inter",
}

// exampleStages: the per-stage CPPs a perf breakdown gives on some rows
// (veth on Flannel's, the generic stages every path crosses alike on the
// host baseline's), without which those costs are not separated.
var exampleStages = []dp.Kind{dp.Veth, dp.TCP, dp.SocketCopy, dp.Skb, dp.Sched, dp.Syscall}

func exampleCSV(t *testing.T) string {
	var b strings.Builder
	b.WriteString(`# Example measurements for ` + "`cnisim calibrate fit`" + ` (synthetic, not measured), written by
# go test ./calibration/fit -run TestExampleCSV -update (example_test.go).
# Generated from one cost per stage crossing: the generic inter-host entries of
# calibration/profiles/paper.toml at 2.4 GHz,
#   veth 45, bridge 250, fib 70, ip_forward 640, netfilter 1467, ebpf 775,
#   vxlan 900, geneve 900, ipip 250, gre 275, ovs 250, userspace 2000 + 0.25/byte,
#   tcp 200, socket_copy 0 + 0.2/byte, nic 150,
# and illustrative values (assumed, for the example only) for the generic
# kernel stages the paper profile folds into those:
#   netdev 60, ip_rcv 150, neigh 50, skb 120, softirq 90, sched 500, syscall 350.
# cpp_total = sum over stages of cost x (data + acks_per_packet x ACK crossings)
# + cost per byte x (pod MTU x data + 52 x acks_per_packet x ACK crossings), the
# crossings on the measured node from the cni model (datapath NodeCrossings),
# the bytes those of full-sized packets (bytes_per_packet empty: the pod MTU).
# Each configuration is measured at MTU 1500 with 0.5 ACK per data packet and at
# MTU 9000 with 0.02 (stretch ACKs). cpp_<stage> columns are the per-stage CPPs
# a perf breakdown would give on those rows. Every value was then scaled by
# 1 + u/100 with u uniform in [-0.5, 0.5) (math/rand/v2 PCG seed 1,2) and
# rounded: measurement noise, so the fit has residuals and standard errors.
# throughput_mbps is not used by the fit; 0 means not recorded.
plugin,mode,placement,mtu,throughput_mbps,acks_per_packet,cpp_total`)
	for _, k := range exampleStages {
		fmt.Fprintf(&b, ",cpp_%s", k)
	}
	b.WriteString("\n")
	rng := rand.New(rand.NewPCG(1, 2))
	noisy := func(v float64) float64 { return math.Round(v * (1 + (rng.Float64()-0.5)/100)) }
	cfgOf := ModelConfigs()
	for _, set := range []struct {
		mtu  int
		acks float64
	}{{1500, 0.5}, {9000, 0.02}} {
		for _, c := range exampleConfigs {
			f := strings.Split(c, ",")
			row := Row{Plugin: f[0], Mode: f[1], Placement: f[2], MTU: set.mtu}
			cfg, err := cfgOf(row)
			if err != nil {
				t.Fatal(err)
			}
			stage := func(k dp.Kind) float64 {
				x := cfg.Crossings
				return exampleCosts[k]*x.PerData(k, set.acks) +
					exampleBytes[k]*(float64(cfg.PodMTU)*x.Data[k]+set.acks*dp.TCPIPOverhead*x.Ack[k])
			}
			total := 0.0
			for k := range dp.Kind(dp.NumKinds) {
				total += stage(k)
			}
			fmt.Fprintf(&b, "%s,%d,0,%g,%g", c, set.mtu, set.acks, noisy(total))
			for _, k := range exampleStages {
				b.WriteString(",")
				if k == dp.Veth && row.Plugin == "flannel" || k != dp.Veth && row.Plugin == "host" {
					fmt.Fprintf(&b, "%g", noisy(stage(k)))
				}
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// testdata/example.csv is what its generator writes (the README's fit
// example), and fitting it gives back the generating costs within their
// standard errors.
func TestExampleCSV(t *testing.T) {
	t.Parallel()
	got := exampleCSV(t)
	const file = "testdata/example.csv"
	golden.Check(t, file, []byte(got))
	if t.Failed() {
		t.FailNow()
	}
	m, err := LoadMeasurements(file)
	if err != nil {
		t.Fatal(err)
	}
	cfgs, err := ConfigsFor(m.Rows, ModelConfigs())
	if err != nil {
		t.Fatal(err)
	}
	res, err := Fit(m.Rows, cfgs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Costs {
		k, _ := dp.ParseKind(c.Stage)
		if math.Abs(c.Cycles-exampleCosts[k]) > 4*c.StdErr+1 {
			t.Errorf("%s = %.1f ± %.1f, want %g", c.Stage, c.Cycles, c.StdErr, exampleCosts[k])
		}
		if want, ok := exampleBytes[k]; ok != (c.PerByte != nil) || ok && math.Abs(c.PerByte.Cycles-want) > 4*c.PerByte.StdErr+0.01 {
			t.Errorf("%s per byte %+v, want %g", c.Stage, c.PerByte, want)
		}
	}
	t.Logf("%d rows, %d equations, sigma %.3g, warnings %q", len(m.Rows), res.Equations, res.Sigma, res.Warnings)
}
