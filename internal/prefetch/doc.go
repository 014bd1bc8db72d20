// Package prefetch asks the CPU to start loading a cache line that the
// caller will read soon. A simulation knows its next steps (the next frame
// on a link, the next packet waiting for a NIC), and at a fabric's scale
// each of those reads is a cache miss on a dependent chain; a prefetch
// lets the miss overlap with the work in between. Go has no prefetch
// intrinsic for user code, so it is one instruction of assembly on amd64
// and nothing elsewhere. It never changes what a program computes.
package prefetch
