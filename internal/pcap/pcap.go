package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// LinkTypeRaw is LINKTYPE_RAW: each record starts with an IPv4 (or IPv6)
// header.
const LinkTypeRaw = 101

// MaxSnapLen is the largest snap length, and so record, this package
// writes or reads: libpcap's own limit (MAXIMUM_SNAPLEN).
const MaxSnapLen = 262144

const (
	magicMicro = 0xa1b2c3d4
	magicNano  = 0xa1b23c4d
	magicNG    = 0x0a0d0d0a // pcapng section header block
	globalLen  = 24
	recordLen  = 16
)

// Writer writes a capture with nanosecond timestamps (magic 0xa1b23c4d,
// version 2.4, little-endian). It does not buffer: wrap a file in a
// bufio.Writer and flush it when done. After a write error every later
// write returns that error, as the file is no longer well formed.
type Writer struct {
	w       io.Writer
	snaplen uint32
	n       int64
	err     error
	buf     []byte
}

// NewWriter writes the 24-byte global header. snaplen must be in
// 1..MaxSnapLen.
func NewWriter(w io.Writer, snaplen uint32, linkType uint32) (*Writer, error) {
	if snaplen == 0 || snaplen > MaxSnapLen {
		return nil, fmt.Errorf("pcap: snap length %d outside 1..%d", snaplen, MaxSnapLen)
	}
	pw := &Writer{w: w, snaplen: snaplen}
	b := make([]byte, 0, globalLen)
	b = binary.LittleEndian.AppendUint32(b, magicNano)
	b = binary.LittleEndian.AppendUint16(b, 2)
	b = binary.LittleEndian.AppendUint16(b, 4)
	b = binary.LittleEndian.AppendUint32(b, 0) // thiszone: timestamps are UTC
	b = binary.LittleEndian.AppendUint32(b, 0) // sigfigs: always 0
	b = binary.LittleEndian.AppendUint32(b, snaplen)
	b = binary.LittleEndian.AppendUint32(b, linkType)
	if err := pw.write(b); err != nil {
		return nil, err
	}
	return pw, nil
}

// WritePacket writes one record: ts is nanoseconds since the Unix epoch
// (the simulator passes simulated time since 0), data the captured bytes
// (len(data) <= snaplen, else an error), origLen the packet's length on the
// wire (>= len(data)). The record header and data go to the underlying
// writer in one Write.
func (w *Writer) WritePacket(ts int64, data []byte, origLen int) error {
	if w.err != nil {
		return w.err
	}
	if ts < 0 || ts/1e9 > math.MaxUint32 {
		return fmt.Errorf("pcap: timestamp %d ns outside the format's 0..2^32 s", ts)
	}
	if uint64(len(data)) > uint64(w.snaplen) {
		return fmt.Errorf("pcap: %d captured bytes over the snap length %d", len(data), w.snaplen)
	}
	if origLen < len(data) || uint64(origLen) > math.MaxUint32 {
		return fmt.Errorf("pcap: original length %d under the %d captured bytes or over 2^32-1", origLen, len(data))
	}
	b := w.buf[:0]
	b = binary.LittleEndian.AppendUint32(b, uint32(ts/1e9))
	b = binary.LittleEndian.AppendUint32(b, uint32(ts%1e9))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint32(b, uint32(origLen))
	b = append(b, data...)
	w.buf = b
	return w.write(b)
}

func (w *Writer) write(b []byte) error {
	n, err := w.w.Write(b)
	w.n += int64(n)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	if err != nil {
		w.err = fmt.Errorf("pcap: %w", err)
	}
	return w.err
}

// Bytes returns the number of bytes written so far, global header included.
func (w *Writer) Bytes() int64 { return w.n }

// Record is one captured packet.
type Record struct {
	TS      int64 // nanoseconds since the Unix epoch
	Data    []byte
	OrigLen int
}

// Reader reads a capture file.
type Reader struct {
	r        io.Reader
	order    binary.ByteOrder
	fracNS   int64 // nanoseconds per unit of a record's fractional timestamp
	snaplen  uint32
	linkType uint32
	hdr      [recordLen]byte
	n        int // records read, for error messages
	err      error
}

// NewReader reads the global header: both byte orders, microsecond
// (0xa1b2c3d4) and nanosecond (0xa1b23c4d) magics, major version 2.
func NewReader(r io.Reader) (*Reader, error) {
	var h [globalLen]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("pcap: reading the global header: %w", err)
	}
	pr := &Reader{r: r}
	switch le := binary.LittleEndian.Uint32(h[:]); le {
	case magicMicro:
		pr.order, pr.fracNS = binary.LittleEndian, 1000
	case magicNano:
		pr.order, pr.fracNS = binary.LittleEndian, 1
	case bswap(magicMicro):
		pr.order, pr.fracNS = binary.BigEndian, 1000
	case bswap(magicNano):
		pr.order, pr.fracNS = binary.BigEndian, 1
	case magicNG:
		return nil, errors.New("pcap: a pcapng file, not pcap (read it with Open)")
	default:
		return nil, fmt.Errorf("pcap: not a pcap file: magic %#08x", binary.BigEndian.Uint32(h[:]))
	}
	major, minor := pr.order.Uint16(h[4:]), pr.order.Uint16(h[6:])
	if major != 2 {
		return nil, fmt.Errorf("pcap: unsupported version %d.%d", major, minor)
	}
	pr.snaplen = pr.order.Uint32(h[16:])
	// The top 6 bits hold FCS information, not the link type (libpcap
	// LT_LINKTYPE).
	pr.linkType = pr.order.Uint32(h[20:]) & 0x03ffffff
	return pr, nil
}

func bswap(v uint32) uint32 {
	return v>>24 | v>>8&0xff00 | v<<8&0xff0000 | v<<24
}

// LinkType returns the file's link type, without the FCS bits.
func (r *Reader) LinkType() uint32 { return r.linkType }

// SnapLen returns the snap length the global header states.
func (r *Reader) SnapLen() uint32 { return r.snaplen }

// Next returns the next record, io.EOF after the last, and an error
// wrapping io.ErrUnexpectedEOF for a truncated record. A record whose
// captured length exceeds the snap length, MaxSnapLen or its original
// length is an error, checked before anything is allocated. Record.Data is
// newly allocated for each record. After an error, Next returns it again:
// the stream's position in the file is lost.
func (r *Reader) Next() (Record, error) {
	if r.err != nil {
		return Record{}, r.err
	}
	rec, err := r.next()
	if err != nil {
		r.err = err
	}
	return rec, err
}

func (r *Reader) next() (Record, error) {
	if _, err := io.ReadFull(r.r, r.hdr[:]); err != nil {
		if err == io.EOF {
			return Record{}, io.EOF
		}
		return Record{}, fmt.Errorf("pcap: record %d header: %w", r.n, err)
	}
	sec := int64(r.order.Uint32(r.hdr[0:]))
	frac := int64(r.order.Uint32(r.hdr[4:]))
	capLen := r.order.Uint32(r.hdr[8:])
	origLen := r.order.Uint32(r.hdr[12:])
	switch {
	case capLen > r.snaplen:
		return Record{}, fmt.Errorf("pcap: record %d: captured length %d over the snap length %d", r.n, capLen, r.snaplen)
	case capLen > MaxSnapLen:
		return Record{}, fmt.Errorf("pcap: record %d: captured length %d over %d", r.n, capLen, MaxSnapLen)
	case capLen > origLen:
		return Record{}, fmt.Errorf("pcap: record %d: captured length %d over the original length %d", r.n, capLen, origLen)
	}
	data := make([]byte, capLen)
	if _, err := io.ReadFull(r.r, data); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return Record{}, fmt.Errorf("pcap: record %d data: %w", r.n, err)
	}
	r.n++
	return Record{TS: sec*1e9 + frac*r.fracNS, Data: data, OrigLen: int(origLen)}, nil
}

// ReadAll reads a whole pcap file: its link type and every record, in
// order.
func ReadAll(r io.Reader) (linkType uint32, recs []Record, err error) {
	pr, err := NewReader(r)
	if err != nil {
		return 0, nil, err
	}
	for {
		rec, err := pr.Next()
		if errors.Is(err, io.EOF) {
			return pr.LinkType(), recs, nil
		}
		if err != nil {
			return 0, nil, err
		}
		recs = append(recs, rec)
	}
}
