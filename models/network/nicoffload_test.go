package network

import (
	"strings"
	"testing"

	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/sim"
)

func TestParseNICOffloads(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want NICOffloads
		err  string
	}{
		{"", NICOffloads{}, ""},
		{"all", NICOffloads{}, ""},
		{"none", NICOffloads{true, true, true, true, true}, ""},
		{"tso,gro", NICOffloads{NoUDPTnl: true, NoIPIP: true, NoGRE: true}, ""},
		{"tso, gro, tx-udp_tnl-segmentation", NICOffloads{NoIPIP: true, NoGRE: true}, ""},
		{"tx-gre-segmentation,tx-ipxip4-segmentation", NICOffloads{NoTSO: true, NoGRO: true, NoUDPTnl: true}, ""},
		{"tso,lro", NICOffloads{}, `unknown offload "lro" (allowed: all, none, or a comma list of tso, gro`},
	} {
		got, err := ParseNICOffloads(tc.in)
		switch {
		case tc.err != "":
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "network.NICOffloads") {
				t.Errorf("%q: error %v, want one containing %q", tc.in, err, tc.err)
			}
		case err != nil || got != tc.want:
			t.Errorf("%q: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// TestNoGROGetsNone: the saturated receiver of TestGROMergesWhatWaits
// merges nothing when its NIC cannot GRO: one receive crossing per packet.
func TestNoGROGetsNone(t *testing.T) {
	t.Parallel()
	const recv, k = 12000.0, 400
	for _, noGRO := range []bool{false, true} {
		cfg := DefaultConfig()
		cfg.Offloads = true
		cfg.NICOffloads.NoGRO = noGRO
		e, n, r, s := setupWith(t, cfg, offloadPath(0, recv))
		dataEvery(e, n, r, k, 1200*sim.Nanosecond)
		e.Run()
		if s.got != k {
			t.Fatalf("no GRO %v: %d of %d delivered", noGRO, s.got, k)
		}
		heads := n.Accounting().Crossings[1][datapath.NIC]
		if noGRO && heads != k || !noGRO && heads > k/4 {
			t.Errorf("no GRO %v: %v receive crossings for %d packets", noGRO, heads, k)
		}
	}
}

// TestSoftwareGSO: 100 segments sent at once over VXLAN form 3
// super-packets; a NIC without tx-udp_tnl-segmentation gets them cut in
// software after the tunnel, so the outer steps (the NIC's) run per
// packet while TCP and VXLAN still run per super-packet. Without TSO a
// plain path's NIC step runs per packet; an intra-host path is untouched.
func TestSoftwareGSO(t *testing.T) {
	t.Parallel()
	S, D := datapath.Src, datapath.Dst
	vxlan := datapath.CostedPath{InterHost: true, EncapBytes: 50, Steps: []datapath.CostedStep{
		step(datapath.TCP, S, datapath.Send, 240, 0.01),
		step(datapath.VXLAN, S, datapath.Send, 480, 0),
		step(datapath.NIC, S, datapath.Send, 120, 0),
		step(datapath.NIC, D, datapath.Softirq, 120, 0),
	}}
	plain := offloadPath(240, 0)
	plain.Steps = append(plain.Steps[:1], step(datapath.NIC, S, datapath.Send, 120, 0), plain.Steps[1])
	for _, tc := range []struct {
		name           string
		path           datapath.CostedPath
		offloads       string
		tcp, tun, nics float64 // send-side crossings
	}{
		{"vxlan, all offloads", vxlan, "all", 3, 3, 3},
		{"vxlan, no tunnel segmentation", vxlan, "tso,gro", 3, 3, 100},
		{"vxlan, none", vxlan, "none", 3, 3, 100},
		{"plain, tunnel offloads only", plain, "gro,tx-udp_tnl-segmentation", 3, 0, 100},
		{"plain, tso", plain, "tso", 3, 0, 3},
	} {
		cfg := DefaultConfig()
		cfg.Offloads = true
		var err error
		if cfg.NICOffloads, err = ParseNICOffloads(tc.offloads); err != nil {
			t.Fatal(err)
		}
		e, n, r, s := setupWith(t, cfg, tc.path)
		for i := range 100 {
			p := tcpData(n, int64(i)*1448)
			p.IPBytes = 1400 // + 50 VXLAN fits the MTU
			n.Send(r, p, 0, 0)
		}
		e.Run()
		a := n.Accounting()
		if s.got != 100 {
			t.Fatalf("%s: %d of 100 delivered", tc.name, s.got)
		}
		got := [3]float64{a.Crossings[0][datapath.TCP], a.Crossings[0][datapath.VXLAN], a.Crossings[0][datapath.NIC]}
		if got != [3]float64{tc.tcp, tc.tun, tc.nics} {
			t.Errorf("%s: send-side crossings tcp, vxlan, nic = %v, want %v", tc.name, got, [3]float64{tc.tcp, tc.tun, tc.nics})
		}
		if want := tc.nics * 120; a.Cycles[0][datapath.NIC] != want {
			t.Errorf("%s: NIC send cycles %v, want %v", tc.name, a.Cycles[0][datapath.NIC], want)
		}
		// the send core ran exactly what the accounting says
		if busy, cyc := n.Nodes[0].Cores[0].BusyTime().Seconds()*2.4e9, a.NodeCycles(0); busy < cyc-1 || busy > cyc+1 {
			t.Errorf("%s: send core busy %.1f cycles, accounted %.1f", tc.name, busy, cyc)
		}
	}
}

// FuzzParseNICOffloads: any text parses or is refused with an error naming
// the field; what parses is what its names say.
func FuzzParseNICOffloads(f *testing.F) {
	for _, s := range []string{"", "all", "none", "tso,gro", "tso, gro ,tx-udp_tnl-segmentation", "lro", ",", "tso,,gro"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseNICOffloads(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "network.NICOffloads = ") {
				t.Errorf("%q: error %q does not name the field", s, err)
			}
			return
		}
		if strings.Contains(s, "gro") == o.NoGRO && strings.TrimSpace(s) != "" && strings.TrimSpace(s) != "all" {
			t.Errorf("%q: NoGRO = %v", s, o.NoGRO)
		}
	})
}
