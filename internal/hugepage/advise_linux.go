package hugepage

import (
	"os"
	"strings"
	"syscall"
)

const (
	madvHugepage = 14 // MADV_HUGEPAGE
	madvCollapse = 25 // MADV_COLLAPSE (Linux 6.1)
)

// supported reports whether the kernel has transparent huge pages in a
// mode that madvise can use ("always" needs no advice, "never" refuses).
func supported() bool {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	return err == nil && strings.Contains(string(b), "[madvise]")
}

// advise marks s for huge pages (later faults in it get them) and
// collapses its pages touched so far. Errors are ignored: both are hints
// (MADV_COLLAPSE fails with EAGAIN on pages the program is changing, and
// EINVAL on older kernels).
func advise(s span) {
	syscall.Syscall(syscall.SYS_MADVISE, s.lo, s.hi-s.lo, madvHugepage)
	syscall.Syscall(syscall.SYS_MADVISE, s.lo, s.hi-s.lo, madvCollapse)
}
