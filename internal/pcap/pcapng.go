package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
)

// pcapng block types and limits (draft-ietf-opsawg-pcapng).
const (
	blockSHB = magicNG // palindromic: reads the same in both byte orders
	blockIDB = 1
	blockOPB = 2 // obsolete Packet Block: old Wireshark files still hold it
	blockSPB = 3
	blockEPB = 6

	byteOrderMagic = 0x1a2b3c4d
	// maxBlockLen bounds a block as Wireshark does, so a corrupt length
	// fails fast rather than reading the rest of the file as one block.
	maxBlockLen = 16 << 20

	optEnd      = 0
	optTSResol  = 9
	optTSOffset = 14
)

// minBlockLen is each interpreted block's fixed part, header and trailer
// included; the fields read from a block's body rely on it.
var minBlockLen = map[uint32]uint32{blockSHB: 28, blockIDB: 20, blockOPB: 32, blockSPB: 16, blockEPB: 32}

// ngIface is what an Interface Description Block declares.
type ngIface struct {
	linkType uint32
	snaplen  uint32 // 0: unlimited
	// A timestamp of t units is t*mul/div>>shift nanoseconds: if_tsresol
	// is a power of 10 or of 2. div 0 means every timestamp is under 1 ns.
	mul, div uint64
	shift    uint
	offset   int64 // if_tsoffset, in nanoseconds
}

// ngReader reads a pcapng file.
type ngReader struct {
	r      io.Reader
	order  binary.ByteOrder // of the current section
	ifaces []ngIface        // of the current section
	off    int64            // of the next block, for error messages
	lastTS int64            // a Simple Packet Block has no timestamp of its own
	buf    []byte
	err    error
}

// newNGReader reads the file's first Section Header Block.
func newNGReader(r io.Reader) (*ngReader, error) {
	nr := &ngReader{r: r}
	_, body, err := nr.block()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err == nil {
		// block refuses another type before a section header.
		err = nr.section(body)
	}
	if err != nil {
		return nil, fmt.Errorf("pcap: pcapng section header: %w", err)
	}
	return nr, nil
}

// Next skips blocks other than packets. Errors are sticky, as the
// Reader's.
func (r *ngReader) Next() (Record, uint32, error) {
	if r.err != nil {
		return Record{}, 0, r.err
	}
	rec, lt, err := r.next()
	if err != nil {
		r.err = err
	}
	return rec, lt, err
}

func (r *ngReader) next() (Record, uint32, error) {
	for {
		start := r.off
		typ, body, err := r.block()
		if err == io.EOF {
			return Record{}, 0, io.EOF
		}
		if err == nil {
			switch typ {
			case blockSHB:
				err = r.section(body)
			case blockIDB:
				err = r.iface(body)
			case blockEPB, blockOPB, blockSPB:
				rec, lt, err := r.packet(typ, body)
				if err == nil {
					return rec, lt, nil
				}
				return Record{}, 0, fmt.Errorf("pcap: pcapng block at offset %d: %w", start, err)
			}
		}
		if err != nil {
			return Record{}, 0, fmt.Errorf("pcap: pcapng block at offset %d: %w", start, err)
		}
	}
}

// block reads one block and checks its length. It returns the body of the
// block types it interprets (for a section header, the body after the
// byte-order magic) and skips the others' bodies. io.EOF means the file
// ends cleanly before the block.
func (r *ngReader) block() (uint32, []byte, error) {
	var h [12]byte
	if _, err := io.ReadFull(r.r, h[:8]); err != nil {
		if err != io.EOF {
			err = fmt.Errorf("block header: %w", err)
		}
		return 0, nil, err
	}
	n := 8
	typ := binary.LittleEndian.Uint32(h[:])
	if typ == blockSHB {
		// The byte-order magic says how to read the length before it.
		if err := r.read(h[8:12]); err != nil {
			return 0, nil, fmt.Errorf("section header: %w", err)
		}
		switch uint32(byteOrderMagic) {
		case binary.LittleEndian.Uint32(h[8:]):
			r.order = binary.LittleEndian
		case binary.BigEndian.Uint32(h[8:]):
			r.order = binary.BigEndian
		default:
			return 0, nil, fmt.Errorf("section header: byte-order magic % x", h[8:12])
		}
		n = 12
	} else if r.order == nil {
		return 0, nil, errors.New("no section header")
	} else {
		typ = r.order.Uint32(h[:])
	}
	length := r.order.Uint32(h[4:])
	switch {
	case length%4 != 0 || length < 12 || length > maxBlockLen:
		return 0, nil, fmt.Errorf("block length %d not a multiple of 4 in 12..%d", length, maxBlockLen)
	case length < minBlockLen[typ]:
		return 0, nil, fmt.Errorf("block of type %#x: length %d under %d", typ, length, minBlockLen[typ])
	}
	var body []byte
	rest := int(length) - n - 4
	if _, ok := minBlockLen[typ]; ok {
		var err error
		if body, err = r.readBody(rest); err != nil {
			return 0, nil, fmt.Errorf("block of type %#x: %w", typ, err)
		}
	} else if m, err := io.CopyN(io.Discard, r.r, int64(rest)); err != nil {
		if m < int64(rest) && err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, fmt.Errorf("block of type %#x: %w", typ, err)
	}
	if err := r.read(h[:4]); err != nil {
		return 0, nil, fmt.Errorf("block trailer: %w", err)
	}
	if trail := r.order.Uint32(h[:]); trail != length {
		return 0, nil, fmt.Errorf("block length %d, trailing copy %d", length, trail)
	}
	r.off += int64(length)
	return typ, body, nil
}

// read fills b, inside a block.
func (r *ngReader) read(b []byte) error {
	_, err := io.ReadFull(r.r, b)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// readBody reads n bytes into the reused buffer, growing it as bytes
// arrive, so a length a truncated or hostile file states costs no more
// memory than the file holds.
func (r *ngReader) readBody(n int) ([]byte, error) {
	b := r.buf[:0]
	for len(b) < n {
		m := min(n-len(b), 64<<10)
		b = slices.Grow(b, m)
		err := r.read(b[len(b) : len(b)+m])
		b = b[:len(b)+m]
		if err != nil {
			r.buf = b[:0]
			return nil, err
		}
	}
	r.buf = b
	return b, nil
}

// section starts a section: its interfaces replace the previous ones.
func (r *ngReader) section(body []byte) error {
	if major, minor := r.order.Uint16(body), r.order.Uint16(body[2:]); major != 1 {
		return fmt.Errorf("unsupported pcapng version %d.%d", major, minor)
	}
	r.ifaces = r.ifaces[:0]
	return nil
}

func (r *ngReader) iface(body []byte) error {
	ifc := ngIface{
		linkType: uint32(r.order.Uint16(body)),
		snaplen:  r.order.Uint32(body[4:]),
		mul:      1000, // microseconds unless if_tsresol says otherwise
		div:      1,
	}
	for opts := body[8:]; len(opts) >= 4; {
		code, n := r.order.Uint16(opts), int(r.order.Uint16(opts[2:]))
		if code == optEnd {
			break
		}
		if 4+n > len(opts) {
			return fmt.Errorf("interface %d: option %d of %d bytes overruns the block", len(r.ifaces), code, n)
		}
		v := opts[4 : 4+n]
		opts = opts[min(len(opts), 4+(n+3)&^3):]
		switch {
		case code == optTSResol && n == 1:
			if e := uint(v[0] & 0x7f); v[0]&0x80 != 0 {
				ifc.mul, ifc.shift = 1e9, e
			} else if e <= 9 {
				ifc.mul = pow10(9 - e)
			} else if e-9 < 20 {
				ifc.mul, ifc.div = 1, pow10(e-9)
			} else {
				ifc.mul, ifc.div = 1, 0 // 10^20 exceeds any 64-bit count
			}
		case code == optTSOffset && n == 8:
			sec := int64(r.order.Uint64(v))
			if sec > math.MaxInt64/int64(1e9) || sec < math.MinInt64/int64(1e9) {
				return fmt.Errorf("interface %d: timestamp offset %d s out of range", len(r.ifaces), sec)
			}
			ifc.offset = sec * 1e9
		case code == optTSResol || code == optTSOffset:
			return fmt.Errorf("interface %d: option %d of %d bytes", len(r.ifaces), code, n)
		}
	}
	r.ifaces = append(r.ifaces, ifc)
	return nil
}

func pow10(e uint) uint64 {
	p := uint64(1)
	for range e {
		p *= 10
	}
	return p
}

// ns converts a timestamp in the interface's units to nanoseconds since
// the epoch, exactly, failing past the year 2262 rather than wrapping.
func (ifc *ngIface) ns(t uint64) (int64, error) {
	hi, lo := bits.Mul64(t, ifc.mul)
	switch {
	case ifc.div == 0:
		hi, lo = 0, 0
	case ifc.div > 1 && hi < ifc.div:
		lo, _ = bits.Div64(hi, lo, ifc.div)
		hi = 0
	}
	if s := ifc.shift; s >= 64 {
		hi, lo = 0, hi>>(s-64)
	} else if s > 0 {
		hi, lo = hi>>s, lo>>s|hi<<(64-s)
	}
	ns := int64(lo)
	if hi != 0 || lo > math.MaxInt64 || ifc.offset > 0 && ns > math.MaxInt64-ifc.offset {
		return 0, fmt.Errorf("timestamp %d out of range", t)
	}
	return ns + ifc.offset, nil
}

// packet reads an Enhanced, obsolete or Simple Packet Block. A Simple
// Packet Block is interface 0's, captured up to its snap length, with no
// timestamp: it takes the previous record's.
func (r *ngReader) packet(typ uint32, body []byte) (Record, uint32, error) {
	var (
		id, capLen, origLen uint32
		data                []byte
		t                   uint64
	)
	switch typ {
	case blockSPB:
		origLen, data = r.order.Uint32(body), body[4:]
		capLen = min(origLen, uint32(len(data)))
		if len(r.ifaces) > 0 && r.ifaces[0].snaplen != 0 {
			capLen = min(capLen, r.ifaces[0].snaplen)
		}
	case blockOPB:
		id = uint32(r.order.Uint16(body)) // then a 16-bit drops count
	default:
		id = r.order.Uint32(body)
	}
	if typ != blockSPB {
		t = uint64(r.order.Uint32(body[4:]))<<32 | uint64(r.order.Uint32(body[8:]))
		capLen, origLen, data = r.order.Uint32(body[12:]), r.order.Uint32(body[16:]), body[20:]
	}
	if id >= uint32(len(r.ifaces)) {
		return Record{}, 0, fmt.Errorf("interface %d not declared (%d in the section)", id, len(r.ifaces))
	}
	ifc := &r.ifaces[id]
	switch {
	case capLen > MaxSnapLen:
		return Record{}, 0, fmt.Errorf("captured length %d over %d", capLen, MaxSnapLen)
	case ifc.snaplen != 0 && capLen > ifc.snaplen:
		return Record{}, 0, fmt.Errorf("captured length %d over the snap length %d", capLen, ifc.snaplen)
	case capLen > origLen:
		return Record{}, 0, fmt.Errorf("captured length %d over the original length %d", capLen, origLen)
	case int(capLen) > len(data):
		return Record{}, 0, fmt.Errorf("captured length %d overruns the block's %d bytes of data", capLen, len(data))
	}
	ts := r.lastTS
	if typ != blockSPB {
		var err error
		if ts, err = ifc.ns(t); err != nil {
			return Record{}, 0, err
		}
	}
	r.lastTS = ts
	rec := Record{TS: ts, Data: make([]byte, capLen), OrigLen: int(origLen)}
	copy(rec.Data, data)
	return rec, ifc.linkType, nil
}
