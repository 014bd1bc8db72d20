package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

// signalled is the cause of a command's context when SIGINT or SIGTERM
// arrived; the command then exits 128 + the signal's number (130, 143),
// as a shell reports a process killed by that signal.
type signalled struct{ sig syscall.Signal }

func (s *signalled) Error() string {
	switch s.sig {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.sig.String()
}

func (s *signalled) exitCode() int { return 128 + int(s.sig) }

// signalContext returns a context cancelled with a *signalled cause by the
// first SIGINT or SIGTERM. After that first signal the default handling is
// back, so a second one kills the process at once. Call stop when done.
func signalContext() (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			signal.Stop(ch)
			sig, _ := s.(syscall.Signal)
			cancel(&signalled{sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(context.Canceled)
	}
}

// signalledErr is err, or the signal that cancelled ctx when one did:
// whatever step a signal stopped, the command exits 128 + the signal.
func signalledErr(ctx context.Context, err error) error {
	var sg *signalled
	if errors.As(context.Cause(ctx), &sg) {
		return sg
	}
	return err
}
