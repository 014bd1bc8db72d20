package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/internal/pcap"
	"github.com/cnisim/cnisim/internal/wire"
)

const pcapScenario = `name = "pcap"
seed = 3
replications = 2
duration = "4ms"
warmup = "1ms"

[cni]
plugin = "flannel"

[workload]
kind = "tcp_stream"
placement = "inter"

[trace]
pcap = true
nodes = [1]
replication = 1

[sweep]
"cni.mode" = ["vxlan", "host-gw"]
`

// TestPcapFiles: run --out writes the captures [trace] asks for, one per
// captured node and sweep point, the same bytes with --parallel 2 and from
// shards merged; they hold the second replication's packets as node 1's
// pods saw them; without --out a warning says where they would go.
func TestPcapFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	withRealSimulator(t)
	const file = "pcap/cni.mode=vxlan/node1.pcap"
	dir, sc, first := writtenThreeWays(t, pcapScenario, file)
	if _, err := os.Stat(filepath.Join(dir, "p1", "pcap", "cni.mode=vxlan", "node0.pcap")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("node 0 was not asked for: %v", err)
	}
	if code, _, stderr := cli("run", sc); code != 0 || !strings.Contains(stderr, "packet captures (2 files)") || !strings.Contains(stderr, "DIR/pcap/") {
		t.Errorf("without --out: exit %d, stderr %s", code, stderr)
	}
	_, recs, err := pcap.ReadAll(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	var syn, data, acks int
	for _, rec := range recs {
		p, err := wire.Decode(rec.Data)
		if err != nil {
			t.Fatal(err)
		}
		if p.IP.Src[2] != 1 && p.IP.Dst[2] != 1 {
			t.Fatalf("a packet of neither pod of node 1: %+v", p.IP)
		}
		switch {
		case p.TCP.Flags&wire.FlagSYN != 0:
			syn++
		case p.Payload > 0:
			data++
		default:
			acks++
		}
	}
	if syn != 2 || data == 0 || acks == 0 {
		t.Errorf("%d SYNs, %d data segments, %d ACKs: want the SYN received and the SYN-ACK sent, and a stream", syn, data, acks)
	}
	// the second replication, not the first: another seed, another capture
	code, _, stderr := cli("run", sc, "--set", "trace.replication=0", "--out", filepath.Join(dir, "rep0"))
	if code != 0 {
		t.Fatalf("replication 0: exit %d: %s", code, stderr)
	}
	if bytes.Equal(readOutFile(t, filepath.Join(dir, "rep0"), file), first) {
		t.Error("trace.replication = 0 captured the same packets as replication 1")
	}
	// at the NICs: the VXLAN point's packets inside its tunnel, host-gw's bare
	if code, _, stderr := cli("run", sc, "--set", "trace.point=nic", "--out", filepath.Join(dir, "nic")); code != 0 {
		t.Fatalf("trace.point=nic: exit %d: %s", code, stderr)
	}
	for mode, vxlan := range map[string]bool{"vxlan": true, "host-gw": false} {
		b := readOutFile(t, filepath.Join(dir, "nic"), "pcap/cni.mode="+mode+"/node1.pcap")
		r, err := pcap.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		e, inner, err := wire.DecodeEncap(rec.Data, 0)
		if err != nil || (e.Kind == wire.EncapVXLAN) != vxlan || e.Kind == wire.EncapVXLAN && e.Overhead != 50 {
			t.Errorf("%s at the NIC: first record's outer headers %+v, %v", mode, e, err)
		}
		if p, err := wire.Decode(inner); err != nil || p.TCP == nil || p.TCP.Flags != wire.FlagSYN {
			t.Errorf("%s at the NIC: first record %+v, %v: want the SYN", mode, p, err)
		}
	}
	if _, err := exec.LookPath("tcpdump"); err != nil {
		t.Log("no tcpdump on PATH: its reading of the captures not checked")
		return
	}
	for _, c := range []struct{ dir, want string }{
		{"p1", "10.0.1.2.5201 > 10.0.0.2.1024: Flags [S.]"},
		{"nic", "VXLAN, flags [I] (0x08), vni 1"},
	} {
		out, err := exec.Command("tcpdump", "-nn", "-r", filepath.Join(dir, c.dir, filepath.FromSlash(file))).CombinedOutput()
		if err != nil || !strings.Contains(string(out), c.want) {
			t.Errorf("tcpdump -r %s: %v, want %q in\n%.600s", c.dir, err, c.want, out)
		}
	}
}

// TestPcapCommand: pcap stats reads a simulated capture's connections,
// pcap compare of a capture with itself reads no error anywhere, and bad
// input is refused with what is allowed.
func TestPcapCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the simulator")
	}
	withRealSimulator(t)
	dir := t.TempDir()
	sc := filepath.Join(dir, "s.toml")
	if err := os.WriteFile(sc, []byte(pcapScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cli("run", sc, "--set", "trace.point=nic", "--out", filepath.Join(dir, "out")); code != 0 {
		t.Fatalf("run: exit %d: %s", code, stderr)
	}
	file := filepath.Join(dir, "out", "pcap", "cni.mode=vxlan", "node1.pcap")
	code, stdout, stderr := cli("pcap", "stats", file)
	if code != 0 || !strings.Contains(stdout, "10.0.0.2:1024") || !strings.Contains(stdout, "10.0.1.2:5201") || !strings.Contains(stdout, "acks_per_segment") {
		t.Errorf("pcap stats (a VXLAN NIC capture): exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = cli("pcap", "compare", "--largest", file, file)
	if code != 0 || strings.Count(stdout, "+0.0%") < 10 || strings.Contains(stdout, "+0.1") || strings.Contains(stdout, "-0.") {
		t.Errorf("pcap compare of a capture with itself: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, _ := cli("pcap", "stats", "--format", "json", file); code != 0 || !strings.Contains(stdout, `"RetransFraction"`) {
		t.Errorf("pcap stats --format json: exit %d\n%.300s", code, stdout)
	}
	notPcap := filepath.Join(dir, "s.toml")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"pcap"}, "want stats FILE or compare REFERENCE FILE"},
		{[]string{"pcap", "show", file}, "pcap show: unknown (allowed: stats, compare)"},
		{[]string{"pcap", "compare", file}, "pcap compare: want REFERENCE FILE"},
		{[]string{"pcap", "stats", filepath.Join(dir, "missing.pcap")}, "missing.pcap: no such file"},
		{[]string{"pcap", "stats", notPcap}, "not a pcap or pcapng file"},
		{[]string{"pcap", "stats", "--format", "csv", file}, "--format \"csv\": allowed table, json"},
		{[]string{"experiment", "paper-fig6", "--quick", "--set", "trace.pcap=true"}, "packet captures are written by cnisim run"},
		{[]string{"reproduce", "--quick", "--set", "trace.point=nic"}, "packet captures are written by cnisim run"},
	} {
		code, _, stderr := cli(c.args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}
