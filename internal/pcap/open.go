package pcap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// Packets reads the records of a pcap or a pcapng file alike.
type Packets interface {
	// Next returns the next record and its link type (pcapng files may
	// mix interfaces), io.EOF after the last.
	Next() (rec Record, linkType uint32, err error)
}

// Open detects the format from the first four bytes (the pcap magics in
// either byte order and resolution, or the pcapng Section Header Block
// 0x0A0D0D0A) and returns a reader of it. A pcapng file's first section
// header is read before Open returns, so a malformed one is Open's error.
//
// A pcapng file's records are its Enhanced, Simple and obsolete Packet
// Blocks; other blocks are skipped. Timestamps follow each interface's
// if_tsresol and if_tsoffset (which may put them before 1970); a Simple
// Packet Block has none and takes the previous record's. As with Reader,
// records are bounded by MaxSnapLen and the snap length, errors are
// sticky, and a truncated file's wraps io.ErrUnexpectedEOF.
func Open(r io.Reader) (Packets, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("pcap: reading the file's magic: %w", err)
	}
	// Give the reader back the bytes it sniffed rather than require an
	// io.Seeker or a bufio.Reader of the caller.
	full := io.MultiReader(bytes.NewReader(head[:]), r)
	switch binary.LittleEndian.Uint32(head[:]) {
	case magicMicro, magicNano, bswap(magicMicro), bswap(magicNano):
		pr, err := NewReader(full)
		if err != nil {
			return nil, err
		}
		return pcapPackets{pr}, nil
	case magicNG:
		return newNGReader(full)
	}
	return nil, fmt.Errorf("pcap: not a pcap or pcapng file (first bytes % x)", head)
}

// pcapPackets adapts a *Reader to Packets: the two Next methods cannot
// share a type, and (*Reader).Next is used as it is.
type pcapPackets struct{ r *Reader }

func (p pcapPackets) Next() (Record, uint32, error) {
	rec, err := p.r.Next()
	return rec, p.r.linkType, err
}
