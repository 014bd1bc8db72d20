//go:build linux

package testbed

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/nacl/secretbox"
	"golang.org/x/sys/unix"
)

// AEADOptions are the benchmark's.
type AEADOptions struct {
	Sizes   []int         // plaintext bytes per call
	Reps    int           // windows per case, interleaved over the cases
	Window  time.Duration // thread CPU time per window
	CPU     int           // the CPU the thread is pinned to; -1: the last
	Command string        // for provenance
	Log     io.Writer
	// LockWait bounds the wait for a testbed run holding the lock.
	LockWait time.Duration
}

// DefaultAEADOptions: an ACK-sized, a small, the ESP family's and a
// jumbo-sized message; 31 windows of 2 ms of thread time per case (short
// enough that most run without a preemption on a busy machine: 3 ciphers x
// 2 directions x 4 sizes x 31 x 2 ms, 1.5 s of CPU, about 10 s on a loaded
// one); up to 15 minutes (a full testbed run) waiting for the lock.
func DefaultAEADOptions() AEADOptions {
	return AEADOptions{Sizes: []int{64, 576, 1400, 8960}, Reps: 31, Window: 2 * time.Millisecond, CPU: -1, Log: io.Discard, LockWait: 15 * time.Minute}
}

// aeadCall returns the function one call of a case runs (on buffers made
// once, so that the loop times the cipher, not the allocator, except where
// the plugin allocates: secretbox.Open into a new slice, as Weave does).
func aeadCall(alg, op string, size int) (func(), error) {
	key := make([]byte, 32)
	if _, err := io.ReadFull(rand.Reader, key); err != nil {
		return nil, err
	}
	msg := make([]byte, size)
	_, _ = io.ReadFull(rand.Reader, msg)
	var a cipher.AEAD
	var ad []byte
	switch alg {
	case "aes-128-gcm":
		b, err := aes.NewCipher(key[:16])
		if err != nil {
			return nil, err
		}
		if a, err = cipher.NewGCM(b); err != nil {
			return nil, err
		}
		ad = make([]byte, 8)
	case "chacha20-poly1305":
		var err error
		if a, err = chacha20poly1305.New(key); err != nil {
			return nil, err
		}
	case "xsalsa20-poly1305":
		var k [32]byte
		var nonce [24]byte
		copy(k[:], key)
		buf := make([]byte, 0, size+secretbox.Overhead)
		box := secretbox.Seal(nil, msg, &nonce, &k)
		if op == "seal" {
			return func() { nonce[0]++; buf = secretbox.Seal(buf[:0], msg, &nonce, &k) }, nil
		}
		return func() {
			if _, ok := secretbox.Open(nil, box, &nonce, &k); !ok {
				panic("secretbox: the sealed box does not open") // a broken benchmark, not input
			}
		}, nil
	default:
		return nil, fmt.Errorf("unknown AEAD %q", alg)
	}
	nonce := make([]byte, a.NonceSize())
	buf := make([]byte, 0, size+a.Overhead())
	sealed := a.Seal(nil, nonce, msg, ad)
	if op == "seal" {
		return func() { nonce[0]++; buf = a.Seal(buf[:0], nonce, msg, ad) }, nil
	}
	return func() {
		if _, err := a.Open(buf[:0], nonce, sealed, ad); err != nil {
			panic("AEAD: the sealed message does not open") // a broken benchmark, not input
		}
	}, nil
}

func threadNS() int64 {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts)
	return ts.Nano()
}

// timeCalls runs f n times and returns the thread CPU and wall time.
func timeCalls(f func(), n int64) AEADWindow {
	w0, c0 := mono(), threadNS()
	for range n {
		f()
	}
	c1, w1 := threadNS(), mono()
	return AEADWindow{Calls: n, CPUNS: c1 - c0, WallNS: int64((w1 - w0) * 1e9)}
}

// MeasureAEAD times every cipher, direction and size on one thread locked
// and pinned to o.CPU: per case a calibration loop sets the calls of a
// window, then o.Reps rounds each run one window of every case (so slow
// phases of a shared machine spread over all cases).
func MeasureAEAD(ctx context.Context, o AEADOptions) (*AEADRun, error) {
	if o.CPU < 0 {
		o.CPU = lastCPU()
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	// The testbed's lock: a testbed run streams on the same last CPU, and
	// each would disturb the other's measurement. Without root (no /run
	// access) the benchmark runs unlocked and says so.
	unlock, err := Lock(ctx, o.LockWait)
	switch {
	case errors.Is(err, fs.ErrPermission):
		fmt.Fprintf(o.Log, "not locking out testbed runs: %v\n", err)
	case err != nil:
		return nil, err
	default:
		defer unlock()
	}
	model, mhz, err := cpuInfo(o.CPU)
	if err != nil {
		return nil, err
	}
	la, _ := os.ReadFile("/proc/loadavg")
	r := &AEADRun{Command: o.Command, Date: time.Now().UTC().Format(time.RFC3339), Kernel: kernelRelease(), CPUModel: model,
		CPUGHz: mhz / 1000, GHzFrom: fmt.Sprintf("/proc/cpuinfo 'cpu MHz' of CPU %d (%g MHz)", o.CPU, mhz), CPU: o.CPU,
		GoVersion: runtime.Version(), Loadavg: strings.Join(strings.Fields(string(la))[:3], " ")}
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // no unlock: the pinned thread ends with the goroutine
		var set unix.CPUSet
		set.Set(o.CPU)
		if err := unix.SchedSetaffinity(0, &set); err != nil {
			done <- fmt.Errorf("pin to CPU %d: %w", o.CPU, err)
			return
		}
		done <- measureAEAD(ctx, o, r)
	}()
	if err := <-done; err != nil {
		return nil, err
	}
	la, _ = os.ReadFile("/proc/loadavg")
	r.LoadavgEnd = strings.Join(strings.Fields(string(la))[:3], " ")
	return r, nil
}

func measureAEAD(ctx context.Context, o AEADOptions, r *AEADRun) error {
	type job struct {
		f func()
		n int64
	}
	var jobs []job
	for _, a := range AEADAlgs {
		for _, op := range AEADOps {
			for _, size := range o.Sizes {
				f, err := aeadCall(a.Name, op, size)
				if err != nil {
					return err
				}
				w := timeCalls(f, 200) // warm-up and calibration
				n := max(int64(float64(o.Window.Nanoseconds())*float64(w.Calls)/float64(max(w.CPUNS, 1))), 10)
				jobs = append(jobs, job{f, n})
				r.Cases = append(r.Cases, AEADCase{Alg: a.Name, Op: op, Size: size})
			}
		}
	}
	for rep := range max(o.Reps, 1) {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped in round %d: %w", rep+1, context.Cause(ctx))
		}
		for i, j := range jobs {
			r.Cases[i].Windows = append(r.Cases[i].Windows, timeCalls(j.f, j.n))
		}
		fmt.Fprintf(o.Log, "round %d of %d done\n", rep+1, max(o.Reps, 1))
	}
	return nil
}
