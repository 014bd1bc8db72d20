package pcap

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// ng builds pcapng blocks by hand in one byte order.
type ng struct{ o binary.AppendByteOrder }

// block pads the body to 32 bits and frames it with the type and both
// copies of the length.
func (n ng) block(typ uint32, body ...[]byte) []byte {
	var b []byte
	for _, p := range body {
		b = append(b, p...)
	}
	b = append(b, make([]byte, -len(b)&3)...)
	out := n.o.AppendUint32(nil, typ)
	out = n.o.AppendUint32(out, uint32(12+len(b)))
	out = append(out, b...)
	return n.o.AppendUint32(out, uint32(12+len(b)))
}

func (n ng) shb(opts ...[]byte) []byte {
	b := n.o.AppendUint32(nil, byteOrderMagic)
	b = n.o.AppendUint16(b, 1)
	b = n.o.AppendUint16(b, 0)
	b = n.o.AppendUint64(b, math.MaxUint64) // section length unspecified
	return n.block(blockSHB, append([][]byte{b}, opts...)...)
}

func (n ng) idb(linkType uint16, snaplen uint32, opts ...[]byte) []byte {
	b := n.o.AppendUint16(nil, linkType)
	b = n.o.AppendUint16(b, 0)
	b = n.o.AppendUint32(b, snaplen)
	return n.block(blockIDB, append([][]byte{b}, opts...)...)
}

// opt is one option, padded.
func (n ng) opt(code uint16, v []byte) []byte {
	b := n.o.AppendUint16(nil, code)
	b = n.o.AppendUint16(b, uint16(len(v)))
	b = append(b, v...)
	return append(b, make([]byte, -len(b)&3)...)
}

func (n ng) epb(id uint32, ts uint64, data []byte, origLen uint32, opts ...[]byte) []byte {
	return n.epbLen(id, ts, data, uint32(len(data)), origLen, opts...)
}

// epbLen states capLen whatever the data.
func (n ng) epbLen(id uint32, ts uint64, data []byte, capLen, origLen uint32, opts ...[]byte) []byte {
	b := n.o.AppendUint32(nil, id)
	b = n.o.AppendUint32(b, uint32(ts>>32))
	b = n.o.AppendUint32(b, uint32(ts))
	b = n.o.AppendUint32(b, capLen)
	b = n.o.AppendUint32(b, origLen)
	b = append(b, data...)
	b = append(b, make([]byte, -len(b)&3)...)
	return n.block(blockEPB, append([][]byte{b}, opts...)...)
}

func (n ng) spb(origLen uint32, data []byte) []byte {
	return n.block(blockSPB, n.o.AppendUint32(nil, origLen), data)
}

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

type ngRec struct {
	rec Record
	lt  uint32
}

// readAll opens b and reads every record, returning the error that ended
// the reading (io.EOF for a clean end).
func readAll(b []byte) ([]ngRec, error) {
	p, err := Open(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var out []ngRec
	for {
		rec, lt, err := p.Next()
		if err != nil {
			return out, err
		}
		out = append(out, ngRec{rec, lt})
	}
}

// ngFile is a two-section file touching every block type; it returns the
// records it holds and the offsets where a block ends.
func ngFile(o binary.AppendByteOrder) ([]byte, []ngRec, []int) {
	n := ng{o}
	const sec = 1_700_000_000
	blocks := [][]byte{
		n.shb(n.opt(4, []byte("hand-built")), n.opt(0, nil)),
		n.idb(LinkTypeEthernet, 0), // microseconds by default
		n.idb(LinkTypeRaw, 1500, n.opt(2, []byte("eth0")), n.opt(optTSResol, []byte{9}), n.opt(0, nil)),
		n.block(4, []byte{1, 0, 4, 0, 10, 0, 0, 1, 'h', 0, 0, 0, 0, 0, 0, 0}), // name resolution
		n.epb(0, sec*1e6+123456, []byte{1, 2, 3}, 60),
		n.epb(1, sec*1e9+7, []byte{0x45, 0, 0, 20, 9}, 1500, n.opt(1, []byte("a comment")), n.opt(0, nil)),
		n.block(5, n.o.AppendUint32(nil, 1), make([]byte, 8)), // interface statistics
		n.spb(5, []byte{1, 2, 3, 4, 5}),                       // the previous timestamp
		n.block(0x0a, []byte("TLSK"), make([]byte, 4)),        // decryption secrets
		n.block(0x40000bad, []byte{0, 0, 0x7e, 0x1f, 'x'}),    // custom
		n.idb(LinkTypeNull, 4, n.opt(optTSResol, []byte{6})),
		n.epb(2, 5, []byte{2, 0, 0, 0}, 4),
		n.spb(1000, []byte{9, 9, 9, 9}), // cut to interface 0's snap length: none
		// A new section forgets the interfaces: interface 0 is now SLL2,
		// in units of 2^-20 s; then picoseconds with a 10 s offset.
		n.shb(),
		n.idb(LinkTypeLinuxSLL2, 2, n.opt(optTSResol, []byte{0x80 | 20})),
		n.idb(LinkTypeIPv4, 0, n.opt(optTSResol, []byte{12}), n.opt(optTSOffset, n.o.AppendUint64(nil, 10))),
		n.spb(100, []byte{7, 8, 0, 0}), // snap length 2
		n.epb(0, 3<<20|1<<19, nil, 0),
		n.epb(1, 2_500_000, []byte{0x45}, 20),
		{}, // a packet block of the obsolete type, built below
	}
	opb := n.o.AppendUint16(nil, 1)
	opb = n.o.AppendUint16(opb, 0) // drops
	opb = n.o.AppendUint32(opb, 0)
	opb = n.o.AppendUint32(opb, 1000)
	opb = n.o.AppendUint32(opb, 1)
	opb = n.o.AppendUint32(opb, 1)
	blocks[len(blocks)-1] = n.block(blockOPB, opb, []byte{0x46})
	want := []ngRec{
		{Record{TS: sec*1e9 + 123456000, Data: []byte{1, 2, 3}, OrigLen: 60}, LinkTypeEthernet},
		{Record{TS: sec*1e9 + 7, Data: []byte{0x45, 0, 0, 20, 9}, OrigLen: 1500}, LinkTypeRaw},
		{Record{TS: sec*1e9 + 7, Data: []byte{1, 2, 3, 4, 5}, OrigLen: 5}, LinkTypeEthernet},
		{Record{TS: 5000, Data: []byte{2, 0, 0, 0}, OrigLen: 4}, LinkTypeNull},
		{Record{TS: 5000, Data: []byte{9, 9, 9, 9}, OrigLen: 1000}, LinkTypeEthernet},
		{Record{TS: 5000, Data: []byte{7, 8}, OrigLen: 100}, LinkTypeLinuxSLL2},
		{Record{TS: 3_500_000_000, Data: []byte{}, OrigLen: 0}, LinkTypeLinuxSLL2},
		{Record{TS: 10e9 + 2_500, Data: []byte{0x45}, OrigLen: 20}, LinkTypeIPv4},
		{Record{TS: 10e9 + 1, Data: []byte{0x46}, OrigLen: 1}, LinkTypeIPv4},
	}
	var ends []int
	size := 0
	for _, b := range blocks {
		size += len(b)
		ends = append(ends, size)
	}
	return cat(blocks...), want, ends
}

func TestPcapng(t *testing.T) {
	for _, o := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		b, want, _ := ngFile(o)
		got, err := readAll(b)
		if err != io.EOF {
			t.Errorf("%v: reading ended with %v, want io.EOF", o, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: got\n%+v\nwant\n%+v", o, got, want)
		}
	}
	// Sections of different byte orders follow one another.
	le, wantLE, _ := ngFile(binary.LittleEndian)
	be, wantBE, _ := ngFile(binary.BigEndian)
	got, err := readAll(cat(le, be))
	if err != io.EOF || !reflect.DeepEqual(got, append(wantLE, wantBE...)) {
		t.Errorf("little- then big-endian sections: %v\n%+v", err, got)
	}
}

func TestPcapngTimestamps(t *testing.T) {
	tests := []struct {
		resol []byte // if_tsresol, none if nil
		ts    uint64
		want  int64
	}{
		{nil, 1_700_000_000_123_456, 1_700_000_000_123_456_000},
		{[]byte{0}, 3, 3e9},
		{[]byte{3}, 3, 3e6},
		{[]byte{9}, math.MaxInt64, math.MaxInt64},
		{[]byte{10}, 19, 1},
		{[]byte{28}, math.MaxUint64, 1},         // 10^-28: 1.8e-9 s at most
		{[]byte{29}, math.MaxUint64, 0},         // 10^-29: past uint64's powers of ten
		{[]byte{0x80}, 2, 2e9},                  // 2^0
		{[]byte{0x80 | 1}, 3, 1_500_000_000},    // 2^-1
		{[]byte{0x80 | 32}, 1 << 32, 1e9},       // 2^-32, NTP-like
		{[]byte{0x80 | 64}, 1 << 63, 5e8},       // 2^-64
		{[]byte{0x80 | 127}, math.MaxUint64, 0}, // 2^-127
	}
	for _, tc := range tests {
		n := ng{binary.LittleEndian}
		var opts [][]byte
		if tc.resol != nil {
			opts = append(opts, n.opt(optTSResol, tc.resol))
		}
		got, err := readAll(cat(n.shb(), n.idb(1, 0, opts...), n.epb(0, tc.ts, nil, 0)))
		if err != io.EOF || len(got) != 1 || got[0].rec.TS != tc.want {
			t.Errorf("tsresol %v, %d units: %v %+v, want %d ns", tc.resol, tc.ts, err, got, tc.want)
		}
	}
}

func TestPcapngErrors(t *testing.T) {
	n := ng{binary.LittleEndian}
	le := binary.LittleEndian
	shb, idb := n.shb(), n.idb(LinkTypeEthernet, 100)
	good := n.epb(0, 0, []byte{1, 2, 3}, 3)
	// withLen restates a block's length, in both copies or only the first.
	withLen := func(b []byte, length uint32, both bool) []byte {
		b = bytes.Clone(b)
		le.PutUint32(b[4:], length)
		if both {
			le.PutUint32(b[len(b)-4:], length)
		}
		return b
	}
	bigOpt := n.opt(optTSResol, []byte{9})
	le.PutUint16(bigOpt[2:], 8) // overruns the block
	tests := []struct {
		name string
		b    []byte
		want string
		is   error
	}{
		{"empty", nil, "magic", io.ErrUnexpectedEOF},
		{"three bytes", shb[:3], "magic", io.ErrUnexpectedEOF},
		{"section header only", shb[:8], "pcapng section header", io.ErrUnexpectedEOF},
		{"byte-order magic", append(bytes.Clone(shb[:8]), 0x4d, 0x3c, 0x2b, 0x1b), "byte-order magic 4d 3c 2b 1b", nil},
		{"version 2", cat(shb[:12], []byte{2, 0, 0, 0}, shb[16:]), "unsupported pcapng version 2.0", nil},
		{"short section header", withLen(shb, 24, true)[:24], "length 24 under 28", nil},
		{"length not a multiple of 4", cat(shb, withLen(good, 30, true)), "block length 30 not a multiple of 4", nil},
		{"length under 12", cat(shb, n.o.AppendUint32(nil, 0x99), le.AppendUint32(nil, 8), le.AppendUint32(nil, 8)), "block length 8", nil},
		{"length over 16 MiB", cat(shb, withLen(good, 16<<20+4, false)), "block length 16777220", nil},
		{"16 MiB block truncated", cat(shb, withLen(n.block(0x99), 16<<20, false)), "block of type 0x99", io.ErrUnexpectedEOF},
		{"trailing copy", cat(shb, withLen(idb, 24, false), le.AppendUint32(nil, 20)), "block length 24, trailing copy 20", nil},
		{"short interface block", cat(shb, n.block(blockIDB, make([]byte, 4))), "length 16 under 20", nil},
		{"short packet block", cat(shb, idb, n.block(blockEPB, make([]byte, 16))), "length 28 under 32", nil},
		{"option overruns", cat(shb, n.idb(1, 0, bigOpt)), "option 9 of 8 bytes overruns", nil},
		{"tsresol length", cat(shb, n.idb(1, 0, n.opt(optTSResol, []byte{9, 9}))), "option 9 of 2 bytes", nil},
		{"tsoffset length", cat(shb, n.idb(1, 0, n.opt(optTSOffset, []byte{1}))), "option 14 of 1 bytes", nil},
		{"tsoffset range", cat(shb, n.idb(1, 0, n.opt(optTSOffset, le.AppendUint64(nil, 1<<62)))), "offset 4611686018427387904 s out of range", nil},
		{"timestamp range", cat(shb, n.idb(1, 0, n.opt(optTSResol, []byte{9})), n.epb(0, math.MaxInt64+1, nil, 0)), "timestamp 9223372036854775808 out of range", nil},
		{"timestamp range, microseconds", cat(shb, idb, n.epb(0, math.MaxUint64, nil, 0)), "out of range", nil},
		{"timestamp range, 2^-1", cat(shb, n.idb(1, 0, n.opt(optTSResol, []byte{0x81})), n.epb(0, math.MaxUint64, nil, 0)), "out of range", nil},
		{"timestamp range with offset", cat(shb, n.idb(1, 0, n.opt(optTSResol, []byte{9}), n.opt(optTSOffset, le.AppendUint64(nil, 1))), n.epb(0, math.MaxInt64, nil, 0)), "out of range", nil},
		{"no interface", cat(shb, good), "interface 0 not declared (0 in the section)", nil},
		{"interface of the previous section", cat(shb, idb, shb, good), "offset 76: interface 0 not declared", nil},
		{"interface out of range", cat(shb, idb, n.epb(1, 0, nil, 0)), "interface 1 not declared (1 in the section)", nil},
		{"simple packet without an interface", cat(shb, n.spb(4, []byte{1, 2, 3, 4})), "interface 0 not declared", nil},
		{"over MaxSnapLen", cat(shb, n.idb(1, 0), n.epbLen(0, 0, make([]byte, 4), MaxSnapLen+1, math.MaxUint32)), "captured length 262145 over 262144", nil},
		{"simple packet over MaxSnapLen", cat(shb, n.idb(1, 0), n.spb(MaxSnapLen+4, make([]byte, MaxSnapLen+4))), "captured length 262148 over 262144", nil},
		{"over snap length", cat(shb, n.idb(1, 2), good), "captured length 3 over the snap length 2", nil},
		{"over original length", cat(shb, idb, n.epb(0, 0, []byte{1, 2, 3}, 2)), "captured length 3 over the original length 2", nil},
		{"overruns the block", cat(shb, idb, n.epbLen(0, 0, []byte{1, 2, 3}, 5, 5)), "captured length 5 overruns the block's 4 bytes", nil},
		{"truncated block", cat(shb, idb, good[:len(good)-1]), "offset 48: block trailer", io.ErrUnexpectedEOF},
		{"truncated skipped block", cat(shb, n.block(0x99, make([]byte, 8))[:14]), "block of type 0x99", io.ErrUnexpectedEOF},
		{"truncated block header", cat(shb, idb[:5]), "block header", io.ErrUnexpectedEOF},
		{"not a capture", []byte("GIF89a"), "not a pcap or pcapng file (first bytes 47 49 46 38)", nil},
	}
	for _, tc := range tests {
		recs, err := readAll(tc.b)
		if err == nil || err == io.EOF {
			t.Errorf("%s: no error after %d records", tc.name, len(recs))
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%s: error %v is not %v", tc.name, err, tc.is)
		}
	}

	// Errors are sticky; a reader's error is passed on.
	p, err := Open(bytes.NewReader(cat(shb, idb, n.epb(3, 0, nil, 0), good)))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err1 := p.Next()
	if _, _, err2 := p.Next(); err1 == nil || err2 != err1 {
		t.Errorf("Next after %v: %v", err1, err2)
	}
	boom := errors.New("boom")
	p, err = Open(io.MultiReader(bytes.NewReader(cat(shb, idb, good[:10])), iotest.ErrReader(boom)))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.Next(); !errors.Is(err, boom) {
		t.Errorf("Next on a failing reader: %v", err)
	}
}

// TestPcapngTruncated cuts a file everywhere: a cut between blocks is a
// clean end, anywhere else an io.ErrUnexpectedEOF.
func TestPcapngTruncated(t *testing.T) {
	for _, o := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		b, _, ends := ngFile(o)
		for i := range len(b) {
			_, err := readAll(b[:i])
			if slices.Contains(ends, i) {
				if err != io.EOF {
					t.Errorf("%v: cut after block at %d: %v", o, i, err)
				}
			} else if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("%v: cut at %d: %v", o, i, err)
			}
		}
	}
}

// TestNewNGReader covers what Open's detection of the magic rules out.
func TestNewNGReader(t *testing.T) {
	n := ng{binary.LittleEndian}
	if _, err := newNGReader(bytes.NewReader(nil)); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("empty: %v", err)
	}
	if _, err := newNGReader(bytes.NewReader(n.idb(1, 0))); err == nil || !strings.Contains(err.Error(), "no section header") {
		t.Errorf("interface block first: %v", err)
	}
}
