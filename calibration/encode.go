package calibration

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// WriteTOML writes the profile in the schema Parse reads; Parse of the
// output gives the profile back.
func (p *Profile) WriteTOML(w io.Writer) error {
	enc := toml.NewEncoder(w)
	enc.Indent = ""
	return enc.Encode(p)
}

// TOML returns the profile as TOML text.
func (p *Profile) TOML() ([]byte, error) {
	var b bytes.Buffer
	if err := p.WriteTOML(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// Save validates the profile and writes it to path whole or not at all
// (a temporary file renamed into place).
func (p *Profile) Save(path string) error {
	if err := p.Validate(); err != nil {
		return fmt.Errorf("%s: refusing to write an invalid profile: %w", path, err)
	}
	data, err := p.TOML()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".profile-*.toml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	// CreateTemp makes the file 0600; a profile is an ordinary shared file.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
