package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// File is one output file, rendered in memory.
type File struct {
	Name string
	Data []byte
}

// WriteFiles writes files into dir, creating it, each whole or not at all:
// every file goes to a temporary file in dir first and is renamed into
// place only when all were written, so a failure replaces nothing.
func WriteFiles(dir string, files []File) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range files { // the one rename failure we can foresee
		if st, err := os.Stat(filepath.Join(dir, f.Name)); err == nil && st.IsDir() {
			return fmt.Errorf("write %s: is a directory", filepath.Join(dir, f.Name))
		}
	}
	for _, f := range files {
		cleanStaleFiles(dir, f.Name)
	}
	temps := make([]string, 0, len(files))
	cleanup := func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}
	for _, f := range files {
		t, err := writeTemp(dir, f)
		if err != nil {
			cleanup()
			return err
		}
		temps = append(temps, t)
	}
	for i, f := range files {
		if err := os.Rename(temps[i], filepath.Join(dir, f.Name)); err != nil {
			cleanup()
			return fmt.Errorf("write %s: %w", filepath.Join(dir, f.Name), err)
		}
	}
	syncDir(dir)
	return nil
}

// syncDir makes the renames durable across a crash where the platform
// allows (best effort: directories cannot be synced everywhere).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func writeTemp(dir string, f File) (string, error) {
	tf, err := os.CreateTemp(dir, tempPrefix(f.Name, "tmp"))
	if err != nil {
		return "", err
	}
	_, werr := tf.Write(f.Data)
	serr := tf.Sync()
	cerr := tf.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tf.Name())
		return "", fmt.Errorf("write %s: %w", filepath.Join(dir, f.Name), err)
	}
	if err := os.Chmod(tf.Name(), 0o644); err != nil {
		os.Remove(tf.Name())
		return "", err
	}
	return tf.Name(), nil
}

// writeFile creates path with data, synced to disk, mode 0644.
func writeFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	return errors.Join(werr, serr, f.Close())
}

// cleanStaleFiles removes the temporary files that killed writers of
// dir/name left (".NAME.tmp-PID-*" of a PID that is gone).
func cleanStaleFiles(dir, name string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), "."+name+".tmp-")
		if !ok || e.IsDir() {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		if pid, err := strconv.Atoi(pidText); err == nil && pid > 0 && !alive(pid) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
