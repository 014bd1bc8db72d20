//go:build linux

package testbed

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// ESP is the Weave fastdp encrypted datapath in the testbed: the vxlan
// family's two "nodes" (VXLAN over the veth wire) with IPsec ESP in
// transport mode between the node addresses, AES-GCM (rfc4106(gcm(aes)),
// a 128-bit key and a 4-byte salt, 16-byte ICV) as Weave fastdp and Cilium
// IPsec configure it. Each direction has its own SA with a key drawn from
// crypto/rand per run; the policies send every UDP packet to the VXLAN
// port through ESP and require it on input. The states and policies live
// in the cnitb- namespaces and go with them (Cleanup).
//
// The tunnel device's MTU (Config.MTU, default espMTU) leaves room for the
// ESP overhead so that no outer packet is fragmented.
func (t *Topology) esp() error {
	if err := t.vxlan(); err != nil {
		return err
	}
	mtu := t.Config.MTU
	if mtu == 0 {
		mtu = espMTU
	}
	for _, pod := range []string{"a", "b"} {
		if err := withLink(nsName(pod), "vx0", func(h *netlink.Handle, l netlink.Link) error { return h.LinkSetMTU(l, mtu) }); err != nil {
			return fmt.Errorf("MTU %d on vx0: %w", mtu, err)
		}
	}
	a, b := net.ParseIP("10.78.0.1").To4(), net.ParseIP("10.78.0.2").To4()
	sas := []espSA{{Src: a, Dst: b, SPI: 0x100}, {Src: b, Dst: a, SPI: 0x200}}
	for i := range sas {
		k, err := espKey()
		if err != nil {
			return err
		}
		sas[i].Key = k
	}
	for _, n := range []struct {
		pod     string
		out, in espSA
	}{{"a", sas[0], sas[1]}, {"b", sas[1], sas[0]}} {
		if err := espNode(nsName(n.pod), n.out, n.in); err != nil {
			return err
		}
	}
	t.Notes = append(t.Notes, fmt.Sprintf("esp: transport mode, %s, %d-bit ICV, vx0 MTU %d, SPIs 0x%x and 0x%x, keys from crypto/rand",
		espAEAD, espICVBits, mtu, sas[0].SPI, sas[1].SPI))
	return nil
}

// espNode installs both SAs of a node and its policies: UDP to the peer's
// VXLAN port out through ESP, and ESP required for the peer's UDP in.
func espNode(ns string, out, in espSA) error {
	h, err := handle(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	for _, sa := range []espSA{out, in} {
		if err := h.XfrmStateAdd(sa.state()); err != nil {
			return espMissing(err)
		}
	}
	for _, p := range []*netlink.XfrmPolicy{out.policy(netlink.XFRM_DIR_OUT), in.policy(netlink.XFRM_DIR_IN)} {
		if err := h.XfrmPolicyAdd(p); err != nil {
			return fmt.Errorf("xfrm policy %s in %s: %w", p.Dir, ns, err)
		}
	}
	return nil
}

const (
	espAEAD    = "rfc4106(gcm(aes))"
	espICVBits = 128
	// espKeyLen is the rfc4106 key: AES-128 (16 bytes) then the 4-byte
	// salt of the nonce (RFC 4106 section 8.1).
	espKeyLen = 16 + 4
)

// espSA is one direction's security association.
type espSA struct {
	Src, Dst net.IP
	SPI      int
	Key      []byte
}

func espKey() ([]byte, error) {
	k := make([]byte, espKeyLen)
	if _, err := io.ReadFull(rand.Reader, k); err != nil {
		return nil, fmt.Errorf("ESP key: %w", err)
	}
	return k, nil
}

func (sa espSA) state() *netlink.XfrmState {
	return &netlink.XfrmState{Src: sa.Src, Dst: sa.Dst, Proto: netlink.XFRM_PROTO_ESP, Mode: netlink.XFRM_MODE_TRANSPORT,
		Spi: sa.SPI, Reqid: sa.SPI, ReplayWindow: 32,
		Aead: &netlink.XfrmStateAlgo{Name: espAEAD, Key: sa.Key, ICVLen: espICVBits}}
}

// policy is the selector of sa's traffic (UDP from its source to its
// destination's VXLAN port) with sa as the template.
func (sa espSA) policy(dir netlink.Dir) *netlink.XfrmPolicy {
	return &netlink.XfrmPolicy{Src: hostNet(sa.Src), Dst: hostNet(sa.Dst), Proto: unix.IPPROTO_UDP, DstPort: 4789, Dir: dir,
		Tmpls: []netlink.XfrmPolicyTmpl{{Src: sa.Src, Dst: sa.Dst, Proto: netlink.XFRM_PROTO_ESP, Mode: netlink.XFRM_MODE_TRANSPORT,
			Spi: sa.SPI, Reqid: sa.SPI}}}
}

// espMissing turns the kernel's refusal of an ESP state into the
// MissingError that skips the configuration: without CONFIG_INET_ESP the
// xfrm core has no ESP type (EPROTONOSUPPORT), without the AEAD template
// the algorithm lookup fails (ENOSYS, ENOENT). The kernel's build config,
// when it has one, names what is missing.
func espMissing(err error) error {
	if errors.Is(err, unix.EPROTONOSUPPORT) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOENT) ||
		errors.Is(err, unix.EINVAL) || errors.Is(err, unix.EOPNOTSUPP) {
		what := fmt.Sprintf("IPsec ESP with %s: the kernel refused the xfrm state: %v", espAEAD, err)
		if off := kernelConfigOff("/proc/config.gz", espKernelOptions); len(off) > 0 {
			what += "; this kernel is built without " + strings.Join(off, ", ")
		}
		return &MissingError{What: what, Hint: "a kernel with CONFIG_INET_ESP and CONFIG_CRYPTO_GCM (modprobe esp4 gcm aesni_intel)"}
	}
	return fmt.Errorf("xfrm state: %w", err)
}
