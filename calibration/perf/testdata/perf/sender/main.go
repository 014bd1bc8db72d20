// Command sender is the traffic source for capturing perf fixtures: a TCP
// bulk sender and a discarding receiver (iperf3 -c / -s in miniature).
//
//	sender server ADDR              # accept and discard, forever
//	sender client ADDR DURATION     # send 64 KiB writes for DURATION
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: sender server ADDR | sender client ADDR DURATION")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "server":
		ln, err := net.Listen("tcp", os.Args[2])
		check(err)
		for {
			c, err := ln.Accept()
			check(err)
			go func() { io.Copy(io.Discard, c); c.Close() }()
		}
	case "client":
		d, err := time.ParseDuration(os.Args[3])
		check(err)
		c, err := net.Dial("tcp", os.Args[2])
		check(err)
		buf := make([]byte, 64<<10)
		var n int64
		for end := time.Now().Add(d); time.Now().Before(end); {
			m, err := c.Write(buf)
			check(err)
			n += int64(m)
		}
		c.Close()
		fmt.Printf("sent %d bytes in %v\n", n, d)
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
