package datapath

import (
	"strings"
	"testing"
)

func step(k Kind, s Side, c Context) Step { return Step{Kind: k, Side: s, Context: c, Count: 1} }

func TestPathValidate(t *testing.T) {
	t.Parallel()
	good := Path{InterHost: true, Steps: []Step{
		step(TCP, Src, Send), step(NIC, Src, Send), step(NIC, Dst, Softirq),
		step(TCP, Dst, Softirq), step(SocketCopy, Dst, Recv),
	}}
	if err := good.Validate(); err != nil {
		t.Fatalf("valid path: %v", err)
	}
	c := good.Counts()
	if c[Src][NIC] != 1 || c[Dst][NIC] != 1 || c[Dst][SocketCopy] != 1 || c[Src][SocketCopy] != 0 {
		t.Errorf("Counts = %v", c)
	}
	bad := []struct {
		p    Path
		want string
	}{
		{Path{}, "empty"},
		{Path{InterHost: true, Steps: []Step{step(TCP, Src, Send), step(TCP, Dst, Softirq)}}, "nic"},
		{Path{Steps: []Step{step(NIC, Src, Send)}}, "never reach"},
		{Path{Steps: []Step{step(TCP, Dst, Softirq), step(TCP, Src, Send)}}, "after dst"},
		{Path{Steps: []Step{step(SocketCopy, Src, Recv)}}, "side dst"},
		{Path{Steps: []Step{{Kind: Veth, Count: 0}}}, "count"},
		{Path{Steps: []Step{{Kind: Kind(200), Count: 1}}}, "unknown stage"},
	}
	for _, b := range bad {
		err := b.p.Validate()
		if err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("Validate(%v) = %v, want error containing %q", b.p.Steps, err, b.want)
		}
	}
}

func TestCostedPathSums(t *testing.T) {
	t.Parallel()
	p := CostedPath{Steps: []CostedStep{
		{Step: Step{Kind: FIB, Side: Dst, Context: Softirq, Count: 3}, Cycles: 70},
		{Step: Step{Kind: TCP, Side: Dst, Context: Softirq, Count: 1}, Cycles: 200},
		{Step: Step{Kind: SocketCopy, Side: Dst, Context: Recv, Count: 1}, Cycles: 50, CyclesPerByte: 0.25},
	}}
	if got := p.CyclesOn(Dst, Softirq, 1448); got != 410 {
		t.Errorf("softirq cycles = %g, want 3*70+200 = 410", got)
	}
	if got := p.CyclesOn(Dst, Recv, 1448); got != 50+0.25*1448 {
		t.Errorf("recv cycles = %g", got)
	}
	k := p.ByKind(Dst, 1448)
	if k[FIB] != 210 || k[SocketCopy] != 412 {
		t.Errorf("ByKind = %v", k)
	}
}
