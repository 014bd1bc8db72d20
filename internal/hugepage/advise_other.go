//go:build !linux

package hugepage

func supported() bool { return false }

func advise(span) {}
