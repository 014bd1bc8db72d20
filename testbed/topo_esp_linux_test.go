//go:build linux

package testbed

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// The SA and its policies are what the doc says: ESP transport mode,
// rfc4106(gcm(aes)) with a 16-byte key + 4-byte salt and a 128-bit ICV,
// the policy selecting UDP to the VXLAN port between the two /32s; keys
// differ per draw.
func TestESPState(t *testing.T) {
	k1, err := espKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := espKey()
	if len(k1) != 20 || string(k1) == string(k2) {
		t.Fatalf("keys %x, %x: want 20 random bytes each", k1, k2)
	}
	sa := espSA{Src: net.ParseIP("10.78.0.1").To4(), Dst: net.ParseIP("10.78.0.2").To4(), SPI: 0x100, Key: k1}
	s := sa.state()
	if s.Proto != netlink.XFRM_PROTO_ESP || s.Mode != netlink.XFRM_MODE_TRANSPORT || s.Spi != 0x100 ||
		s.Aead == nil || s.Aead.Name != "rfc4106(gcm(aes))" || s.Aead.ICVLen != 128 || len(s.Aead.Key) != 20 ||
		s.Crypt != nil || s.Auth != nil || !s.Src.Equal(sa.Src) || !s.Dst.Equal(sa.Dst) {
		t.Errorf("state %+v", s)
	}
	for _, dir := range []netlink.Dir{netlink.XFRM_DIR_OUT, netlink.XFRM_DIR_IN} {
		p := sa.policy(dir)
		if p.Dir != dir || p.Proto != unix.IPPROTO_UDP || p.DstPort != 4789 || p.Src.String() != "10.78.0.1/32" ||
			p.Dst.String() != "10.78.0.2/32" || len(p.Tmpls) != 1 || p.Tmpls[0].Spi != 0x100 ||
			p.Tmpls[0].Proto != netlink.XFRM_PROTO_ESP || p.Tmpls[0].Mode != netlink.XFRM_MODE_TRANSPORT {
			t.Errorf("policy %s: %+v", dir, p)
		}
	}
}

// A kernel without ESP (this project's VM: ENOSYS) skips the
// configuration with a MissingError; other errors stay errors.
func TestESPMissing(t *testing.T) {
	for _, e := range []error{unix.ENOSYS, unix.EPROTONOSUPPORT, unix.ENOENT} {
		if _, ok := espMissing(e).(*MissingError); !ok {
			t.Errorf("%v: %v is not a MissingError", e, espMissing(e))
		}
	}
	if _, ok := espMissing(unix.EEXIST).(*MissingError); ok {
		t.Error("EEXIST became a MissingError")
	}
}

// TestBuildESP builds esp and checks from netlink: the vxlan devices with
// the tunnel MTU, both SAs and both policies in each node; Cleanup leaves
// nothing (the xfrm states live in the namespaces). On a kernel without
// ESP the build is a MissingError and leaves nothing either.
func TestBuildESP(t *testing.T) {
	needRoot(t)
	unlock, err := Lock(context.Background(), 2*time.Minute)
	if errors.Is(err, unix.EWOULDBLOCK) {
		t.Skipf("another testbed run holds the lock: %v", err) // a shared machine's run, not a failure of esp
	}
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	c, _ := ParseConfig("esp-600")
	_, err = Build(c)
	var miss *MissingError
	if errors.As(err, &miss) {
		if left, lerr := Leftovers(); lerr != nil || len(left) > 0 {
			t.Errorf("after the skipped build: namespaces left %v (%v)", left, lerr)
		}
		t.Skipf("esp: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer Cleanup()
	for _, pod := range []string{"a", "b"} {
		h, err := handle(nsName(pod))
		if err != nil {
			t.Fatal(err)
		}
		ss, serr := h.XfrmStateList(unix.AF_INET)
		ps, perr := h.XfrmPolicyList(unix.AF_INET)
		l, lerr := h.LinkByName("vx0")
		h.Close()
		if serr != nil || perr != nil || lerr != nil {
			t.Fatal(serr, perr, lerr)
		}
		if len(ss) != 2 || len(ps) != 2 || l.Attrs().MTU != 600 {
			t.Errorf("%s: %d states, %d policies, vx0 MTU %d; want 2, 2, 600", pod, len(ss), len(ps), l.Attrs().MTU)
		}
	}
	if _, err := Cleanup(); err != nil {
		t.Fatal(err)
	}
	if left, err := Leftovers(); err != nil || len(left) > 0 {
		t.Errorf("namespaces left: %v (%v)", left, err)
	}
}
