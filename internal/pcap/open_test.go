package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestOpen(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter(&buf, 100, LinkTypeRaw)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WritePacket(7, []byte{0x45, 0, 0, 20}, 20); err != nil {
		t.Fatal(err)
	}
	ngLE, wantNG, _ := ngFile(binary.LittleEndian)
	tests := []struct {
		name string
		b    []byte
		want []ngRec
	}{
		{"pcap from the Writer", buf.Bytes(), []ngRec{{Record{TS: 7, Data: []byte{0x45, 0, 0, 20}, OrigLen: 20}, LinkTypeRaw}}},
		{"big-endian microsecond pcap", file(binary.BigEndian, 0xa1b2c3d4, 65535, LinkTypeLinuxSLL, [4]uint32{1, 2, 3, 60}),
			[]ngRec{{Record{TS: 1e9 + 2000, Data: []byte{0, 1, 2}, OrigLen: 60}, LinkTypeLinuxSLL}}},
		{"little-endian microsecond pcap", file(binary.LittleEndian, 0xa1b2c3d4, 65535, LinkTypeEthernet), nil},
		{"big-endian nanosecond pcap", file(binary.BigEndian, 0xa1b23c4d, 65535, LinkTypeEthernet), nil},
		{"pcapng", ngLE, wantNG},
	}
	for _, tc := range tests {
		got, err := readAll(tc.b)
		if err != io.EOF || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v\n%+v, want\n%+v", tc.name, err, got, tc.want)
		}
	}

	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"pcap version", append([]byte{0x4d, 0x3c, 0xb2, 0xa1, 3, 0}, make([]byte, 18)...), "unsupported version 3.0"},
		{"pcap truncated", buf.Bytes()[:10], "global header: unexpected EOF"},
		{"text", []byte("GET / HTTP/1.1"), "not a pcap or pcapng file (first bytes 47 45 54 20)"},
	} {
		if _, err := Open(bytes.NewReader(tc.b)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	// Open reads no more than the file's header.
	boom := errors.New("boom")
	if _, err := Open(io.MultiReader(bytes.NewReader(buf.Bytes()[:24]), &errReader{boom})); err != nil {
		t.Errorf("Open read past the global header: %v", err)
	}
}

type errReader struct{ err error }

func (e *errReader) Read([]byte) (int, error) { return 0, e.err }

func FuzzOpen(f *testing.F) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, 100, LinkTypeEthernet)
	_ = w.WritePacket(5, []byte{2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 8, 0, 0x45, 0, 0, 20}, 60)
	f.Add(buf.Bytes())
	for _, o := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		b, _, _ := ngFile(o)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Open(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Every byte of a record's data was read from b, so the records'
		// data together fit in it: allocation is bounded by the input.
		total := 0
		for range 5000 {
			rec, lt, err := p.Next()
			if err != nil {
				if _, _, again := p.Next(); again != err {
					t.Fatalf("Next after %v: %v", err, again)
				}
				break
			}
			total += len(rec.Data)
			if total > len(b) || len(rec.Data) > MaxSnapLen || len(rec.Data) > rec.OrigLen {
				t.Fatalf("record of %d bytes (original %d) from %d bytes", len(rec.Data), rec.OrigLen, len(b))
			}
			ip, ok, err := IPv4(lt, rec.Data)
			if err != nil && ok || !ok && ip != nil || len(ip) > len(rec.Data) {
				t.Fatalf("IPv4(%d, %x) = %x, %t, %v", lt, rec.Data, ip, ok, err)
			}
		}
	})
}
