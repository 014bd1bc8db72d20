package plots

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Save writes fig to pathWithoutExt plus one extension per format ("png", "svg",
// "pdf"; PNG and SVG when none are given) and returns the paths written.
// Every format is rendered before any file is touched, and each file is written
// to a temporary file in the same directory and renamed into place, so a file
// is either whole or absent (an older version stays whole).
func Save(fig *Figure, pathWithoutExt string, formats ...string) ([]string, error) {
	if fig == nil {
		return nil, fmt.Errorf("plots: Save %q: nil figure", pathWithoutExt)
	}
	if pathWithoutExt == "" {
		return nil, fmt.Errorf("plots: Save: empty path")
	}
	if ext := strings.TrimPrefix(filepath.Ext(pathWithoutExt), "."); isFormat(ext) {
		return nil, fmt.Errorf("plots: Save %q: give the path without the extension; formats are separate arguments", pathWithoutExt)
	}
	if len(formats) == 0 {
		formats = []string{"png", "svg"}
	}
	exts := make([]string, len(formats))
	data := make([][]byte, len(formats))
	paths := make([]string, len(formats))
	for i, f := range formats {
		f = strings.ToLower(strings.TrimPrefix(f, "."))
		if slices.Contains(exts[:i], f) {
			return nil, fmt.Errorf("plots: Save %q: format %q given twice", pathWithoutExt, f)
		}
		b, err := fig.Encode(f)
		if err != nil {
			return nil, fmt.Errorf("plots: Save %q: %w", pathWithoutExt, err)
		}
		exts[i], data[i], paths[i] = f, b, pathWithoutExt+"."+f
	}
	for i, p := range paths {
		if err := writeAtomic(p, data[i]); err != nil {
			return paths[:i], err
		}
	}
	return paths, nil
}

func isFormat(f string) bool { return slices.Contains(allowedFormats, strings.ToLower(f)) }

// writeAtomic writes b to a temporary file beside path, syncs it and renames it
// over path: readers see the old file or the new one, never a part.
func writeAtomic(path string, b []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp*")
	if err != nil {
		return fmt.Errorf("plots: writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			err = fmt.Errorf("plots: writing %s: %w", path, err)
		}
	}()
	if _, err = tmp.Write(b); err != nil {
		return err
	}
	if err = tmp.Chmod(0o644); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
