package pcap_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/cnisim/cnisim/internal/pcap"
	"github.com/cnisim/cnisim/internal/wire"
)

// ExampleOpen reads a capture as a user brings it, here an Ethernet one
// with a VLAN tag, down to the IPv4 packets the simulator's LINKTYPE_RAW
// captures hold.
func ExampleOpen() {
	ip := wire.IPv4{Src: [4]byte{10, 244, 1, 5}, Dst: [4]byte{10, 244, 2, 7}, DF: true, TTL: 64}
	seg := wire.TCP{SrcPort: 40000, DstPort: 8080, Seq: 1, Ack: 1, Flags: wire.FlagACK, Window: 502, WScale: -1}
	pkt, err := wire.AppendTCP(nil, ip, seg, 0)
	if err != nil {
		panic(err)
	}
	frame := []byte{
		0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1, // destination, source
		0x81, 0x00, 0x00, 0x64, // 802.1Q, VLAN 100
		0x08, 0x00, // IPv4
	}
	frame = append(append(frame, pkt...), make([]byte, 64-len(frame)-len(pkt))...) // padded

	var file bytes.Buffer // an *os.File of tcpdump's or Wireshark's in real use
	w, _ := pcap.NewWriter(&file, 262144, pcap.LinkTypeEthernet)
	_ = w.WritePacket(1_000_000, frame, len(frame))

	packets, err := pcap.Open(&file) // pcap or pcapng alike
	if err != nil {
		panic(err)
	}
	for {
		rec, linkType, err := packets.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
		b, ok, err := pcap.IPv4(linkType, rec.Data)
		if err != nil {
			panic(err)
		} else if !ok {
			continue // IPv6, ARP, ...
		}
		p, err := wire.Decode(b)
		if err != nil {
			panic(err)
		}
		fmt.Printf("t=%dns frame of %d bytes: IPv4 packet of %d, %d > %d\n",
			rec.TS, len(rec.Data), len(b), p.TCP.SrcPort, p.TCP.DstPort)
	}
	// Output:
	// t=1000000ns frame of 64 bytes: IPv4 packet of 40, 40000 > 8080
}
