package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/cnisim/cnisim/internal/wire"
)

func TestRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, 128, LinkTypeRaw)
	if err != nil {
		t.Fatal(err)
	}
	if w.Bytes() != 24 {
		t.Errorf("Bytes after the global header = %d, want 24", w.Bytes())
	}
	want := []Record{
		{TS: 0, Data: []byte{}, OrigLen: 0},
		{TS: 1, Data: []byte{0x45, 1, 2}, OrigLen: 1500},
		{TS: 999_999_999, Data: bytes.Repeat([]byte{7}, 128), OrigLen: 128},
		{TS: 1_000_000_000, Data: []byte{9}, OrigLen: 9000},
		{TS: math.MaxUint32*1e9 + 999_999_999, Data: []byte{1, 2}, OrigLen: math.MaxUint32},
	}
	size := int64(24)
	for _, r := range want {
		if err := w.WritePacket(r.TS, r.Data, r.OrigLen); err != nil {
			t.Fatal(err)
		}
		size += 16 + int64(len(r.Data))
	}
	if w.Bytes() != size || int64(buf.Len()) != size {
		t.Errorf("Bytes = %d, buffer %d, want %d", w.Bytes(), buf.Len(), size)
	}
	if got := buf.Bytes()[:24]; !bytes.Equal(got, []byte{
		0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 128, 0, 0, 0, 101, 0, 0, 0,
	}) {
		t.Errorf("global header % x", got)
	}

	r, err := NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if r.LinkType() != LinkTypeRaw || r.SnapLen() != 128 {
		t.Errorf("LinkType %d SnapLen %d", r.LinkType(), r.SnapLen())
	}
	for i, wr := range want {
		got, err := r.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, wr) {
			t.Errorf("record %d = %+v, want %+v", i, got, wr)
		}
	}
	for range 2 {
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("after the last record: %v, want io.EOF", err)
		}
	}
}

// file builds a capture by hand in the given byte order.
func file(order binary.AppendByteOrder, magic uint32, snaplen uint32, linkType uint32, recs ...[4]uint32) []byte {
	var b []byte
	b = order.AppendUint32(b, magic)
	b = order.AppendUint16(b, 2)
	b = order.AppendUint16(b, 4)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, snaplen)
	b = order.AppendUint32(b, linkType)
	for _, r := range recs {
		for _, v := range r {
			b = order.AppendUint32(b, v)
		}
		for i := range r[2] {
			b = append(b, byte(i))
		}
	}
	return b
}

func TestReadFormats(t *testing.T) {
	tests := []struct {
		name  string
		order binary.AppendByteOrder
		magic uint32
		ts    int64
	}{
		{"little-endian microseconds", binary.LittleEndian, 0xa1b2c3d4, 1_700_000_000*1e9 + 123_456_000},
		{"big-endian microseconds", binary.BigEndian, 0xa1b2c3d4, 1_700_000_000*1e9 + 123_456_000},
		{"big-endian nanoseconds", binary.BigEndian, 0xa1b23c4d, 1_700_000_000*1e9 + 123_456},
		{"little-endian nanoseconds", binary.LittleEndian, 0xa1b23c4d, 1_700_000_000*1e9 + 123_456},
	}
	for _, tc := range tests {
		b := file(tc.order, tc.magic, 65535, 1|0x10000000<<2, // Ethernet, with an FCS length
			[4]uint32{1_700_000_000, 123_456, 3, 60})
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if r.LinkType() != 1 || r.SnapLen() != 65535 {
			t.Errorf("%s: LinkType %d SnapLen %d", tc.name, r.LinkType(), r.SnapLen())
		}
		rec, err := r.Next()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		want := Record{TS: tc.ts, Data: []byte{0, 1, 2}, OrigLen: 60}
		if !reflect.DeepEqual(rec, want) {
			t.Errorf("%s: %+v, want %+v", tc.name, rec, want)
		}
		if _, err := r.Next(); err != io.EOF {
			t.Errorf("%s: %v, want io.EOF", tc.name, err)
		}
	}
}

func TestReaderErrors(t *testing.T) {
	le := binary.LittleEndian
	good := file(le, 0xa1b23c4d, 100, LinkTypeRaw, [4]uint32{0, 0, 10, 10})
	tests := []struct {
		name string
		b    []byte
		want string
		is   error
	}{
		{"empty", nil, "global header", io.ErrUnexpectedEOF},
		{"short global header", good[:23], "global header", io.ErrUnexpectedEOF},
		{"bad magic", append([]byte("GIF89a"), good[6:]...), "not a pcap file: magic 0x474946", nil},
		{"pcapng", append([]byte{0x0a, 0x0d, 0x0d, 0x0a}, good[4:]...), "pcapng", nil},
		{"version 1", append(append(bytes.Clone(good[:4]), 1, 0), good[6:]...), "version 1.4", nil},
		{"short record header", good[:24+15], "record 0 header", io.ErrUnexpectedEOF},
		{"short record data", good[:len(good)-1], "record 0 data", io.ErrUnexpectedEOF},
		{"no record data", good[:24+16], "record 0 data", io.ErrUnexpectedEOF},
		{"over snap length", file(le, 0xa1b23c4d, 100, 1, [4]uint32{0, 0, 101, 200}), "captured length 101 over the snap length 100", nil},
		{"over MaxSnapLen", file(le, 0xa1b23c4d, math.MaxUint32, 1, [4]uint32{0, 0, MaxSnapLen + 1, math.MaxUint32}), "captured length 262145 over 262144", nil},
		{"no records", good[:24], "", io.EOF},
		{"over original length", file(le, 0xa1b23c4d, 100, 1, [4]uint32{0, 0, 10, 9}), "captured length 10 over the original length 9", nil},
		{"second record", append(bytes.Clone(good), good[24:30]...), "record 1 header", io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		r, err := NewReader(bytes.NewReader(tc.b))
		if err == nil {
			for err == nil {
				_, err = r.Next()
			}
			// Errors are sticky.
			if _, again := r.Next(); again != err {
				t.Errorf("%s: Next after %v returned %v", tc.name, err, again)
			}
		}
		if tc.want != "" && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: error %v is not %v", tc.name, err, tc.is)
		}
	}

	// An underlying read error is passed on.
	boom := errors.New("boom")
	if _, err := NewReader(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("NewReader on a failing reader: %v", err)
	}
	r, err := NewReader(io.MultiReader(bytes.NewReader(good[:30]), iotest.ErrReader(boom)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Next(); !errors.Is(err, boom) {
		t.Errorf("Next on a failing reader: %v", err)
	}
}

type failWriter struct{ after int }

func (f *failWriter) Write(b []byte) (int, error) {
	if len(b) > f.after {
		n := f.after
		f.after = 0
		return n, errors.New("disk full")
	}
	f.after -= len(b)
	return len(b), nil
}

type shortWriter struct{}

func (shortWriter) Write(b []byte) (int, error) { return len(b) - 1, nil }

func TestWriterErrors(t *testing.T) {
	for _, snap := range []uint32{0, MaxSnapLen + 1} {
		if _, err := NewWriter(io.Discard, snap, LinkTypeRaw); err == nil {
			t.Errorf("NewWriter with snap length %d: no error", snap)
		}
	}
	if _, err := NewWriter(&failWriter{after: 10}, 100, LinkTypeRaw); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("NewWriter on a failing writer: %v", err)
	}
	if _, err := NewWriter(shortWriter{}, 100, LinkTypeRaw); !errors.Is(err, io.ErrShortWrite) {
		t.Errorf("NewWriter on a short writer: %v", err)
	}

	w, err := NewWriter(io.Discard, 10, LinkTypeRaw)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		ts      int64
		data    []byte
		origLen int
		want    string
	}{
		{"negative time", -1, nil, 0, "timestamp -1"},
		{"time past 2106", (math.MaxUint32 + 1) * 1e9, nil, 0, "timestamp"},
		{"over snap length", 0, make([]byte, 11), 11, "11 captured bytes over the snap length 10"},
		{"original length short", 0, make([]byte, 5), 4, "original length 4 under the 5"},
		{"original length huge", 0, nil, math.MaxUint32 + 1, "original length 4294967296"},
	}
	for _, tc := range tests {
		if err := w.WritePacket(tc.ts, tc.data, tc.origLen); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	if w.Bytes() != 24 {
		t.Errorf("rejected records were written: Bytes = %d", w.Bytes())
	}
	// Still usable after rejected records.
	if err := w.WritePacket(0, []byte{1}, 1); err != nil {
		t.Fatal(err)
	}

	// A failed write is sticky and counted.
	fw := &failWriter{after: 24 + 16 + 3}
	w, err = NewWriter(fw, 100, LinkTypeRaw)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(0, make([]byte, 10), 10); err == nil {
		t.Fatal("no error from a failing writer")
	}
	if w.Bytes() != 24+16+3 {
		t.Errorf("Bytes = %d, want %d", w.Bytes(), 24+16+3)
	}
	fw.after = 1000
	if err := w.WritePacket(0, nil, 0); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("write after a failed one: %v", err)
	}
}

// TestTcpdump checks that tcpdump reads a capture of a SYN built with
// internal/wire as the SYN Linux would send.
func TestTcpdump(t *testing.T) {
	tcpdump, err := exec.LookPath("tcpdump")
	if err != nil {
		t.Skip("tcpdump is not on PATH:", err)
	}
	ip := wire.IPv4{Src: [4]byte{10, 244, 1, 5}, Dst: [4]byte{10, 244, 2, 7}, DF: true, TTL: 64}
	syn := wire.TCP{SrcPort: 40000, DstPort: 8080, Seq: 12345, Flags: wire.FlagSYN, Window: 64240,
		MSS: 1448, WScale: 7, SACKPermitted: true, HasTimestamps: true, TSval: 1000}
	b, err := wire.AppendTCP(nil, ip, syn, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "syn.pcap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWriter(f, 262144, LinkTypeRaw)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(1_500_000_000, b, len(b)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tcpdump, "-nn", "-tt", "-r", path).CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("tcpdump: %v\n%s", err, out)
	}
	var line string
	for l := range strings.Lines(string(out)) {
		if strings.Contains(l, " IP ") {
			line = l
		}
	}
	for _, want := range []string{
		"1.500000", "10.244.1.5.40000 > 10.244.2.7.8080", "Flags [S]", "seq 12345", "win 64240",
		"mss 1448", "sackOK", "TS val 1000 ecr 0", "wscale 7", "length 0",
	} {
		if !strings.Contains(line, want) {
			t.Errorf("tcpdump line lacks %q:\n%s", want, out)
		}
	}
}

func FuzzReader(f *testing.F) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, 100, LinkTypeRaw)
	_ = w.WritePacket(5, []byte{0x45, 0, 0, 20}, 20)
	_ = w.WritePacket(6, nil, 1500)
	f.Add(buf.Bytes())
	f.Add(file(binary.BigEndian, 0xa1b2c3d4, 65535, 1, [4]uint32{1, 2, 3, 4}))
	f.Add(file(binary.LittleEndian, 0xa1b2c3d4, math.MaxUint32, 1, [4]uint32{1, 2, 3, 4}))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := NewReader(bytes.NewReader(b))
		if err != nil {
			return
		}
		total := 0
		for {
			rec, err := r.Next()
			if err != nil {
				break
			}
			// Allocation is bounded by the input: every byte of Data was
			// read from b.
			total += len(rec.Data)
			if total > len(b) || len(rec.Data) > MaxSnapLen || uint32(len(rec.Data)) > r.SnapLen() || len(rec.Data) > rec.OrigLen || rec.TS < 0 {
				t.Fatalf("record %+v from %d bytes (snap length %d)", rec, len(b), r.SnapLen())
			}
		}
	})
}
