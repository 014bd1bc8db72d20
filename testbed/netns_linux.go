//go:build linux

package testbed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// netnsDir is where named namespaces are bind-mounted (iproute2's
// convention, which netns.NewNamed follows).
const netnsDir = "/var/run/netns"

// inNS runs f on a locked OS thread switched into the named namespace of
// ours and switches the thread back before unlocking it. Processes that f
// starts (os/exec forks from the calling thread) run in that namespace.
func inNS(name string, f func() error) error {
	if !Owned(name) {
		return fmt.Errorf("namespace %q is not ours (prefix %q)", name, Prefix)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	orig, err := netns.Get()
	if err != nil {
		return fmt.Errorf("current namespace: %w", err)
	}
	defer orig.Close()
	target, err := netns.GetFromName(name)
	if err != nil {
		return fmt.Errorf("namespace %s: %w", name, err)
	}
	defer target.Close()
	if err := netns.Set(target); err != nil {
		return fmt.Errorf("enter namespace %s: %w", name, err)
	}
	ferr := f()
	if err := netns.Set(orig); err != nil {
		// The thread stays in a foreign namespace: do not let it go back
		// to the pool (LockOSThread without unlock ends it with the goroutine).
		runtime.LockOSThread()
		return errors.Join(ferr, fmt.Errorf("leave namespace %s: %w", name, err))
	}
	return ferr
}

// netnsDirOnce prepares netnsDir once per process.
var netnsDirOnce sync.Once

// prepareNetnsDir makes netnsDir a shared mount point as iproute2's `ip
// netns add` does (ipnetns.c: make it shared, or when it is not a mount
// point yet, bind it onto itself first), before our namespaces are
// mounted in it. Otherwise the first `ip netns add` run beside us binds
// the directory over our namespaces' mounts, hiding them: we could then
// neither open nor delete them (seen: "file exists", "invalid argument").
// Best effort: where mounts cannot be changed, namespaces still work as
// before. The mount stays after the run, as iproute2's does.
func prepareNetnsDir() {
	netnsDirOnce.Do(func() {
		if os.MkdirAll(netnsDir, 0o755) != nil {
			return
		}
		if unix.Mount("", netnsDir, "none", unix.MS_SHARED|unix.MS_REC, "") == unix.EINVAL &&
			unix.Mount(netnsDir, netnsDir, "none", unix.MS_BIND|unix.MS_REC, "") == nil {
			_ = unix.Mount("", netnsDir, "none", unix.MS_SHARED|unix.MS_REC, "")
		}
	})
}

// newNS creates the named namespace (with lo up, IPv6 off so that no
// DAD/MLD traffic is counted, rp_filter off, and IP forwarding if router)
// without leaving the calling thread in it.
func newNS(name string, router bool) error {
	if !Owned(name) {
		return fmt.Errorf("refusing to create namespace %q without prefix %q", name, Prefix)
	}
	err := func() error {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		orig, err := netns.Get()
		if err != nil {
			return err
		}
		defer orig.Close()
		prepareNetnsDir()
		ns, err := netns.NewNamed(name)
		if err != nil {
			return fmt.Errorf("create namespace %s: %w", name, err)
		}
		ns.Close()
		if err := netns.Set(orig); err != nil {
			runtime.LockOSThread()
			return fmt.Errorf("leave namespace %s: %w", name, err)
		}
		return nil
	}()
	if err != nil {
		return err
	}
	return inNS(name, func() error {
		lo, err := netlink.LinkByName("lo")
		if err != nil {
			return err
		}
		if err := netlink.LinkSetUp(lo); err != nil {
			return err
		}
		kv := [][2]string{
			{"net/ipv6/conf/all/disable_ipv6", "1"}, {"net/ipv6/conf/default/disable_ipv6", "1"},
			{"net/ipv4/conf/all/rp_filter", "0"}, {"net/ipv4/conf/default/rp_filter", "0"},
		}
		if router {
			kv = append(kv, [2]string{"net/ipv4/ip_forward", "1"})
		}
		for _, p := range kv {
			if err := sysctl(p[0], p[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

// sysctl writes a /proc/sys key; under /proc/sys/net it applies to the
// namespace of the calling thread (call it inside inNS).
func sysctl(key, value string) error {
	p := filepath.Join("/proc/sys", key)
	if err := os.WriteFile(p, []byte(value), 0o644); err != nil {
		return fmt.Errorf("sysctl %s=%s: %w", key, value, err)
	}
	return nil
}

// handle returns a netlink handle inside the named namespace.
func handle(name string) (*netlink.Handle, error) {
	ns, err := netns.GetFromName(name)
	if err != nil {
		return nil, fmt.Errorf("namespace %s: %w", name, err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink in %s: %w", name, err)
	}
	return h, nil
}

// Leftovers lists the namespaces with our prefix (sorted).
func Leftovers() ([]string, error) {
	ents, err := os.ReadDir(netnsDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if Owned(e.Name()) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// Cleanup ends the processes left in our namespaces by a killed run (by
// PID, found through /proc/PID/ns/net) and deletes every namespace with
// the prefix; the devices inside go with them. It returns what it removed.
func Cleanup() ([]string, error) {
	names, err := Leftovers()
	if err != nil {
		return nil, err
	}
	var errs []error
	for _, n := range names {
		killIn(n)
		if err := deleteNamed(n); err != nil {
			errs = append(errs, fmt.Errorf("delete namespace %s: %w", n, err))
		}
	}
	return names, errors.Join(errs...)
}

// deleteNamed removes a named namespace as iproute2's `ip netns del`
// does: a lazy unmount, then unlink. A run killed between creating the
// name's file and bind-mounting its namespace on it leaves a plain file;
// its unmount fails with EINVAL (not a mount point) and the file must
// still go (netns.DeleteNamed returns at the unmount's error and keeps it).
func deleteNamed(name string) error {
	p := filepath.Join(netnsDir, name)
	if err := unix.Unmount(p, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
		return fmt.Errorf("unmount %s: %w", p, err)
	}
	return os.Remove(p)
}

// CleanupKilled removes what a killed run left, as a run does before it
// starts (holding the lock): Cleanup's namespaces, and the prefix's perf
// scratch directories, which kill -9 keeps from the run's own deferred
// removal. It returns what it removed.
func CleanupKilled() ([]string, error) {
	names, err := Cleanup()
	dirs, _ := filepath.Glob(scratchDir("*"))
	for _, d := range dirs {
		if rerr := os.RemoveAll(d); rerr != nil {
			err = errors.Join(err, fmt.Errorf("delete %s: %w", d, rerr))
			continue
		}
		names = append(names, d)
	}
	return names, err
}

// scratchDir is the path of Measure's perf scratch directory with the
// given suffix (os.MkdirTemp's pattern "*" gives every one).
func scratchDir(suffix string) string {
	return filepath.Join(os.TempDir(), Prefix+"perf-"+suffix)
}

// killIn sends SIGKILL to processes (other than us) whose network
// namespace is the named one: the helpers (iptables, nft) of a run killed
// with -9 while they ran.
func killIn(name string) {
	var want unix.Stat_t
	if unix.Stat(filepath.Join(netnsDir, name), &want) != nil {
		return
	}
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		pid := 0
		if _, err := fmt.Sscan(p.Name(), &pid); err != nil || pid == os.Getpid() {
			continue
		}
		var st unix.Stat_t
		if unix.Stat(filepath.Join("/proc", p.Name(), "ns/net"), &st) == nil && st.Ino == want.Ino && st.Dev == want.Dev {
			_ = unix.Kill(pid, unix.SIGKILL)
		}
	}
}

// runIn runs a program in a namespace of ours with stdin, and returns a
// clear error with its output when it fails.
func runIn(ns, stdin, prog string, args ...string) error {
	if _, err := exec.LookPath(prog); err != nil {
		return &MissingError{What: prog, Hint: "apt-get install -y iptables nftables"}
	}
	return inNS(ns, func() error {
		cmd := exec.Command(prog, args...)
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s %s in %s: %v: %s", prog, strings.Join(args, " "), ns, err, strings.TrimSpace(string(out)))
		}
		return nil
	})
}

// lockPath serialises testbed runs on a machine: they share the prefix,
// and each one's Cleanup would remove the other's namespaces.
const lockPath = "/run/cnisim-testbed.lock"

// Lock takes the machine-wide testbed lock, waiting up to wait for
// another run to finish (or ctx to end).
func Lock(ctx context.Context, wait time.Duration) (unlock func(), err error) {
	f, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testbed lock %s: %w", lockPath, err)
	}
	deadline := time.Now().Add(wait)
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN); f.Close() }, nil
		}
		if ctx.Err() != nil {
			f.Close()
			return nil, context.Cause(ctx)
		}
		if err != unix.EWOULDBLOCK || time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("testbed lock %s: another testbed run holds it (waited %v): %w", lockPath, wait, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
