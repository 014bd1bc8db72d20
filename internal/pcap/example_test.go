package pcap_test

import (
	"bytes"
	"fmt"
	"io"

	"github.com/cnisim/cnisim/internal/pcap"
	"github.com/cnisim/cnisim/internal/wire"
)

func Example() {
	ip := wire.IPv4{Src: [4]byte{10, 244, 1, 5}, Dst: [4]byte{10, 244, 2, 7}, DF: true, TTL: 64}
	seg := wire.TCP{SrcPort: 40000, DstPort: 8080, Seq: 1, Ack: 1, Flags: wire.FlagACK, Window: 502,
		WScale: -1, HasTimestamps: true}
	hdr, err := wire.AppendTCP(nil, ip, seg, 1448)
	if err != nil {
		panic(err)
	}

	var file bytes.Buffer // an os.File behind a bufio.Writer in real use
	w, err := pcap.NewWriter(&file, 256, pcap.LinkTypeRaw)
	if err != nil {
		panic(err)
	}
	// The record holds the headers; its original length counts the payload.
	if err := w.WritePacket(2_500_000, hdr, len(hdr)+1448); err != nil {
		panic(err)
	}
	fmt.Println(w.Bytes(), "bytes written")

	r, err := pcap.NewReader(&file)
	if err != nil {
		panic(err)
	}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			panic(err)
		}
		p, err := wire.Decode(rec.Data)
		if err != nil {
			panic(err)
		}
		fmt.Printf("t=%dns %d of %d bytes, port %d, payload %d\n",
			rec.TS, len(rec.Data), rec.OrigLen, p.TCP.DstPort, p.Payload)
	}
	// Output:
	// 92 bytes written
	// t=2500000ns 52 of 1500 bytes, port 8080, payload 1448
}
