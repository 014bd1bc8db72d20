// Package readfile reads an input file whole with a size cap, so that a
// wrong path (a device such as /dev/zero, a log file, a disk image) gets
// a clear error naming the file instead of exhausting memory or hanging.
// It does no parsing.
package readfile

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// Limit is the cap for the project's hand-written inputs: scenario, model,
// profile, map and measurement files. The largest real one (a sweep of a
// million values) is a few megabytes.
const Limit = 64 << 20

// Read returns the contents of the file at path, or an error when it
// cannot be opened or read (wrapping the os error, so errors.Is works) or
// holds more than limit bytes; kind names what the file should have been
// ("a scenario file").
func Read(path string, limit int64, kind string) ([]byte, error) {
	return read(path, limit, kind, false)
}

// ReadRegular is Read for inputs that must be regular files (a device is
// refused too, and a file larger than limit before a byte is read).
func ReadRegular(path string, limit int64, kind string) ([]byte, error) {
	return read(path, limit, kind, true)
}

func read(path string, limit int64, kind string, regularOnly bool) ([]byte, error) {
	// Non-blocking open: opening a FIFO for reading otherwise waits for a
	// writer forever (issue 19). Directories, FIFOs and sockets are
	// refused before reading; devices are read up to the cap.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch t := st.Mode().Type(); {
	case st.IsDir():
		return nil, fmt.Errorf("%s: is a directory, not %s", path, kind)
	case t&(os.ModeNamedPipe|os.ModeSocket) != 0 || regularOnly && !st.Mode().IsRegular():
		return nil, fmt.Errorf("%s: not a regular file (%v): not %s; save it to a file first", path, t, kind)
	case regularOnly && st.Size() > limit:
		return nil, fmt.Errorf("%s: %d bytes, larger than %s: not %s", path, st.Size(), size(limit), kind)
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %s: not %s", path, size(limit), kind)
	}
	return data, nil
}

func size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
