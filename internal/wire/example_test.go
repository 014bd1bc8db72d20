package wire_test

import (
	"fmt"

	"github.com/cnisim/cnisim/internal/wire"
)

func Example() {
	ip := wire.IPv4{Src: [4]byte{10, 244, 1, 5}, Dst: [4]byte{10, 244, 2, 7}, DF: true, TTL: 64}
	syn := wire.TCP{SrcPort: 40000, DstPort: 8080, Seq: 1, Flags: wire.FlagSYN, Window: 64240,
		MSS: 1448, WScale: 7, SACKPermitted: true, HasTimestamps: true, TSval: 100}
	b, err := wire.AppendTCP(nil, ip, syn, 0)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", b[40:])

	data := wire.TCP{SrcPort: 40000, DstPort: 8080, Seq: 2, Ack: 1, Flags: wire.FlagACK, Window: 502,
		WScale: -1, HasTimestamps: true, TSval: 101, TSecr: 50}
	b, err = wire.AppendTCP(nil, ip, data, 1448)
	if err != nil {
		panic(err)
	}
	p, err := wire.Decode(b)
	if err != nil {
		panic(err)
	}
	fmt.Println(len(b), "header bytes,", p.Payload, "payload bytes, TSval", p.TCP.TSval)
	// Output:
	// 02 04 05 a8 04 02 08 0a 00 00 00 64 00 00 00 00 01 03 03 07
	// 52 header bytes, 1448 payload bytes, TSval 101
}

// A pod's segment as the sending node's NIC shows it under VXLAN, and read
// back.
func ExampleAppendEncap() {
	ip := wire.IPv4{Src: [4]byte{10, 244, 1, 5}, Dst: [4]byte{10, 244, 2, 7}, DF: true, TTL: 64}
	seg := wire.TCP{SrcPort: 40000, DstPort: 8080, Seq: 1, Flags: wire.FlagACK, Window: 502, WScale: -1}
	inner, err := wire.AppendTCP(nil, ip, seg, 1448)
	if err != nil {
		panic(err)
	}
	e := wire.Encap{Kind: wire.EncapVXLAN, Src: [4]byte{192, 168, 1, 10}, Dst: [4]byte{192, 168, 1, 11},
		TTL: 64, SrcPort: 51234, VNI: 1, Overhead: 50}
	rec, err := wire.AppendEncap(nil, e, inner, len(inner)+1448)
	if err != nil {
		panic(err)
	}
	fmt.Printf("% x\n", rec[28:36])
	fmt.Println(len(rec), "bytes captured of", len(inner)+1448+e.Overhead)

	got, in, err := wire.DecodeEncap(rec, 0)
	if err != nil {
		panic(err)
	}
	p, err := wire.Decode(in)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.Kind, "VNI", got.VNI, "overhead", got.Overhead, "inner port", p.TCP.DstPort)
	// Output:
	// 08 00 00 00 00 00 01 00
	// 90 bytes captured of 1538
	// VXLAN VNI 1 overhead 50 inner port 8080
}
