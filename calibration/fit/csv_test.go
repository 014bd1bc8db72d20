package fit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	dp "github.com/cnisim/cnisim/models/datapath"
)

func TestReadMeasurements(t *testing.T) {
	t.Parallel()
	m, err := LoadMeasurements("testdata/measurements.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Rows) != 3 || len(m.SHA256) != 64 {
		t.Fatalf("%+v", m)
	}
	r := m.Rows[0]
	if r.Plugin != "flannel" || r.Mode != "vxlan" || r.Placement != "inter" || r.MTU != 1500 ||
		r.ThroughputMbps != 5200.5 || r.CPPTotal != 8700 || r.Line != 3 ||
		r.CPPStage[dp.Veth] != 90 || r.CPPStage[dp.VXLAN] != 1800 {
		t.Errorf("row 0 %+v", r)
	}
	if !r.HasAcks || r.AcksPerPacket != 0.5 || r.BytesPerPacket != 0 || r.Encrypt {
		t.Errorf("row 0 optional columns %+v", r)
	}
	if r := m.Rows[1]; r.CPPStage != nil || r.HasAcks || r.BytesPerPacket != 1400 {
		t.Errorf("empty cells are not measurements: %+v", r)
	}
	if _, ok := m.Rows[2].CPPStage[dp.VXLAN]; ok || m.Rows[2].CPPStage[dp.Veth] != 92 || m.Rows[2].Line != 5 || m.Rows[2].AcksPerPacket != 0.015 {
		t.Errorf("row 2 %+v", m.Rows[2])
	}
	if !strings.Contains(m.Source(), "measurements.csv") {
		t.Error(m.Source())
	}
}

func TestReadMeasurementsErrors(t *testing.T) {
	t.Parallel()
	const h = "plugin,mode,placement,mtu,throughput_mbps,cpp_total\n"
	cases := []struct{ text, want string }{
		{"", "m.csv: empty file (want the header plugin,mode"},
		{"plugin,mode,placement,mtu,cpp_total\n", `m.csv:1: header: missing column "throughput_mbps"`},
		{h[:len(h)-1] + ",colour\n", `m.csv:1: header: column 7: unknown column "colour" (allowed: plugin`},
		{h[:len(h)-1] + ",cpp_vxlam\n", `column 7 "cpp_vxlam": unknown stage kind "vxlam" (valid: veth`},
		{h[:len(h)-1] + ",mtu\n", `duplicate column "mtu"`},
		{h, "no measurements"},
		{h + "flannel,vxlan,cross,1500,1,2\n", "m.csv:2:15: column placement: unknown placement \"cross\" (valid: intra, inter)"},
		{h + "flannel,vxlan,inter,15x0,1,2\n", "m.csv:2:21: column mtu: want an integer MTU"},
		{h + "flannel,vxlan,inter,1500,1,-2\n", "m.csv:2:28: column cpp_total: want a finite number >= 0"},
		{h + "flannel,vxlan,inter,1500,fast,2\n", `column throughput_mbps: want a finite number >= 0, got "fast"`},
		{h + ",vxlan,inter,1500,1,2\n", "m.csv:2:1: column plugin: empty plugin"},
		{h + "flannel,vxlan,inter,1500,1\n", "m.csv:2:1: wrong number of fields"},
		{h + "flannel,\"vxlan,inter,1500,1,2\n", "m.csv:2"},
		{h[:len(h)-1] + ",cpp_veth\nflannel,vxlan,inter,1500,1,2,NaN\n", "m.csv:2:30: column cpp_veth"},
		{h[:len(h)-1] + ",acks_per_packet\nflannel,vxlan,inter,1500,1,2,50\n", "m.csv:2:30: column acks_per_packet: want ACKs per data packet in 0..4"},
		{h[:len(h)-1] + ",acks_per_packet\nflannel,vxlan,inter,1500,1,2,-0.1\n", "column acks_per_packet"},
		{h[:len(h)-1] + ",bytes_per_packet\nflannel,vxlan,inter,1500,1,2,0\n", "column bytes_per_packet: want the mean IP bytes of a data packet in 1..65535"},
		{h[:len(h)-1] + ",bytes_per_packet\nflannel,vxlan,inter,1500,1,2,Inf\n", "column bytes_per_packet"},
		{h[:len(h)-1] + ",encrypt\nflannel,vxlan,inter,1500,1,2,yes\n", `column encrypt: want true, false or empty, got "yes"`},
	}
	for _, c := range cases {
		_, err := ReadMeasurements(strings.NewReader(c.text), "m.csv")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.text, err, c.want)
		}
	}
	if _, err := LoadMeasurements(filepath.Join(t.TempDir(), "none.csv")); err == nil || !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzReadMeasurements: the reader never panics and what it accepts is
// within the documented ranges.
func FuzzReadMeasurements(f *testing.F) {
	data, _ := os.ReadFile("testdata/measurements.csv")
	f.Add(data)
	f.Add([]byte("plugin,mode,placement,mtu,throughput_mbps,cpp_total\nx,,intra,68,0,0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ReadMeasurements(strings.NewReader(string(data)), "fuzz.csv")
		if err != nil {
			return
		}
		for _, r := range m.Rows {
			if r.HasAcks && !(r.AcksPerPacket >= 0 && r.AcksPerPacket <= MaxAcksPerPacket) ||
				!(r.BytesPerPacket == 0 || r.BytesPerPacket >= 1 && r.BytesPerPacket <= 65535) {
				t.Fatalf("accepted %+v", r)
			}
			if r.Plugin == "" || r.MTU < 68 || r.CPPTotal < 0 || r.ThroughputMbps < 0 ||
				(r.Placement != "intra" && r.Placement != "inter") {
				t.Fatalf("accepted %+v", r)
			}
			for _, v := range r.CPPStage {
				if !(v >= 0) {
					t.Fatalf("accepted stage value %v", v)
				}
			}
		}
	})
}
