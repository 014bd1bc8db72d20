package hugepage

import (
	"bufio"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// hugeSize is the x86-64 and arm64 (4 KiB granule) PMD size.
const hugeSize = 2 << 20

// span is a 2 MiB-aligned address range [lo, hi).
type span struct{ lo, hi uintptr }

// heapSpans reads /proc/self/maps text and returns the 2 MiB-aligned
// interiors of the Go heap's mappings: private, read-write, anonymous,
// named by the runtime "[anon: Go: heap]" (Linux 5.17), or unnamed where
// the kernel keeps no names. Mappings too small to hold an aligned huge
// page are left out.
func heapSpans(r io.Reader) []span {
	var out []span
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		// address perms offset dev inode [name]
		f := strings.Fields(sc.Text())
		if len(f) < 5 || f[1] != "rw-p" || f[4] != "0" {
			continue
		}
		if name := strings.Join(f[5:], " "); name != "" && name != "[anon: Go: heap]" {
			continue
		}
		lo, hi, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		a, err1 := strconv.ParseUint(lo, 16, 64)
		b, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		s := span{uintptr((a + hugeSize - 1) &^ (hugeSize - 1)), uintptr(b &^ (hugeSize - 1))}
		if s.lo < s.hi {
			out = append(out, s)
		}
	}
	return out
}

// Interval is how often the programs that use this package advise the
// heap (cnisim, bench/harness, bench/fattree): the heap's growth since the
// last call waits at most this long for huge pages.
const Interval = 100 * time.Millisecond

// Start advises the heap every interval from a goroutine, for the life of
// the process, unless huge pages are unsupported or GODEBUG has
// disablethp=1 (the runtime's own switch for huge pages); later calls do
// nothing. Advising costs a read of /proc/self/maps and, for memory the
// heap touched since, the kernel's copy into huge pages: under 1% of the
// 1,000-node cluster's CPU.
func Start(interval time.Duration) {
	once.Do(func() {
		if !supported() || strings.Contains(os.Getenv("GODEBUG"), "disablethp=1") {
			return
		}
		go func() {
			for {
				adviseHeap()
				time.Sleep(interval)
			}
		}()
	})
}

var once sync.Once

// adviseHeap advises the heap's current mappings once.
func adviseHeap() {
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return
	}
	spans := heapSpans(f)
	f.Close()
	for _, s := range spans {
		advise(s)
	}
}
