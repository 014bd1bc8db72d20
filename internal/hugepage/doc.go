// Package hugepage backs the Go heap with transparent huge pages where
// the kernel leaves them to the program (transparent_hugepage = madvise,
// as on the benchmark machines). A large simulation reads its packets,
// routes and rings at random over hundreds of megabytes: with 4 KiB pages
// nearly every cache miss is also a TLB miss, and in a virtual machine a
// TLB miss walks two page tables. The Go runtime does not ask for huge
// pages for its heap, and the heap grows by fresh mappings that it touches
// at once, so Start asks the kernel, from a background goroutine, to mark
// the heap's mappings for huge pages and to collapse what they already
// hold (MADV_COLLAPSE, Linux 6.1). It never changes what a program
// computes; elsewhere than on Linux it does nothing.
package hugepage
