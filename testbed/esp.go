package testbed

import (
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/models/datapath"
)

const (
	// espMTU is the esp family's tunnel device MTU: the wire's 1500 minus
	// VXLAN's 50 (outer IPv4 20, UDP 8, VXLAN 8, inner Ethernet 14) minus
	// ESP's at most 37 in transport mode with rfc4106(gcm(aes)) (SPI 4,
	// sequence 4, IV 8, padding 0-3, pad length 1, next header 1, ICV 16):
	// 1413, rounded down to 1400.
	espMTU = 1400
	// espMinMTU and espMaxMTU bound esp-N: IPv4's minimum datagram every
	// host accepts, and the largest tunnel MTU whose ESP packets fit the
	// wire unfragmented (espMTU's arithmetic).
	espMinMTU = 576
	espMaxMTU = 1413
)

// parseESPMTU reads N of esp-N, the tunnel MTU of a second packet size
// (two sizes separate encryption's per-packet and per-byte costs: FitESP).
func parseESPMTU(name, rest string) (int, error) {
	n, err := strconv.Atoi(rest)
	if err != nil || strconv.Itoa(n) != rest || n < espMinMTU || n > espMaxMTU {
		return 0, fmt.Errorf("configuration %q: esp-N takes the tunnel MTU N, an integer %d..%d (esp alone: %d)", name, espMinMTU, espMaxMTU, espMTU)
	}
	return n, nil
}

// withESP adds IPsec's steps to the summed inter-host vxlan crossings: the
// sender's node encrypts every outer packet after VXLAN encapsulation and
// the receiver's decrypts it before VXLAN (where Weave fastdp's `when =
// "encrypt"` steps sit, models/cni/models/weave.toml), so a data packet
// and an ACK each cross encrypt twice (once per node). No built-in graph
// is VXLAN plus ESP without Weave's bridge, OVS datapath and netfilter
// steps, which the testbed does not build.
func withESP(x datapath.Crossings) datapath.Crossings {
	x.Data[datapath.Encrypt] += 2
	x.Ack[datapath.Encrypt] += 2
	return x
}

// espKernelOptions are the build options ESP with AES-GCM needs (the last
// for AES-NI; without it the generic table-driven AES runs).
var espKernelOptions = []string{"CONFIG_INET_ESP", "CONFIG_CRYPTO_GCM", "CONFIG_CRYPTO_AES_NI_INTEL"}

// kernelConfigOff returns the options of want that the gzipped kernel
// config at path has neither =y nor =m; nil when it cannot be read.
func kernelConfigOff(path string, want []string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		return nil
	}
	return configOff(string(data), want)
}

// configOff is kernelConfigOff on the config's text.
func configOff(text string, want []string) []string {
	on := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(l), "="); ok && (v == "y" || v == "m") {
			on[k] = true
		}
	}
	var off []string
	for _, w := range want {
		if !on[w] {
			off = append(off, w)
		}
	}
	return off
}

// encryptStage is the model's stage of ESP (and every cipher).
const encryptStage = "encrypt"

// FitEncrypt separates encryption's per-crossing and per-byte cycles from
// configurations that cross it at two or more packet sizes (esp and
// esp-N): per configuration, x = IP bytes per crossing and y = cycles per
// crossing; the least-squares line y = a + b x gives a cycles per crossing
// and b per byte. It declines (ok false; how says why when there were
// points) with fewer than two sizes 5% apart, or a line with a negative
// part (noise larger than the size effect), and the profile keeps the
// pooled per-byte cost.
func FitEncrypt(points []Point) (a, b float64, how string, ok bool) {
	var xs, ys []float64
	var names []string
	for _, p := range points {
		u, has := p.Stages[encryptStage]
		if !has || u.Crossings <= 0 || !u.PerByte {
			continue
		}
		xs = append(xs, u.Units/u.Crossings)
		ys = append(ys, u.Cycles/u.Crossings)
		names = append(names, p.Name)
	}
	if len(xs) == 0 {
		return 0, 0, "", false
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs {
		lo, hi = math.Min(lo, x), math.Max(hi, x)
	}
	if hi < 1.05*lo {
		return 0, 0, fmt.Sprintf("encrypt measured at one packet size (%s): pooled per byte; run esp and esp-N for the per-packet part", strings.Join(names, ", ")), false
	}
	a, b = lineFit(xs, ys)
	pts := make([]string, len(xs))
	for i := range xs {
		pts[i] = fmt.Sprintf("%s %.6g B, %.6g cycles", names[i], xs[i], ys[i])
	}
	if a < 0 || b < 0 {
		return 0, 0, fmt.Sprintf("the line through %s has a negative part (%.6g + %.6g per byte): pooled per byte", strings.Join(pts, "; "), a, b), false
	}
	return a, b, fmt.Sprintf("least-squares line of cycles per crossing against IP bytes per crossing over %s: %.6g + %.6g per byte", strings.Join(pts, "; "), a, b), true
}
