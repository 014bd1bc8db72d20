package plots

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSaveFormats(t *testing.T) {
	dir := t.TempDir()
	fig, err := fig3Bars().Figure()
	if err != nil {
		t.Fatal(err)
	}
	paths, err := Save(fig, filepath.Join(dir, "fig3"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "fig3.png"), filepath.Join(dir, "fig3.svg")}; !slices.Equal(paths, want) {
		t.Fatalf("paths %v, want %v", paths, want)
	}

	b, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	// 16 cm x 10 cm at 144 dpi: 16/2.54*144 = 907.1, 10/2.54*144 = 566.9 pixels.
	if r := img.Bounds(); r.Dx() != 907 || r.Dy() != 567 {
		t.Errorf("PNG is %dx%d pixels, want 907x567", r.Dx(), r.Dy())
	}

	b, err = os.ReadFile(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	if err := wellFormedXML(b); err != nil {
		t.Errorf("SVG is not well-formed XML: %v", err)
	}
	for _, text := range []string{"TCP throughput", "throughput (Gbit/s)", "kube-router", "MTU 9000"} {
		if !bytes.Contains(b, []byte(text)) {
			t.Errorf("SVG lacks the text %q", text)
		}
	}

	paths, err = Save(fig, filepath.Join(dir, "fig3"), "pdf")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(paths[0]); !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Error("PDF lacks its header")
	}
	assertNoTemp(t, dir)
}

// TestSaveAllOrNothing: a bad argument is found before any file is written, and
// a good save replaces an old file without leaving temporaries behind.
func TestSaveAllOrNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fig, err := fig4Stacked().Figure()
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "fig4")
	for _, tc := range []struct {
		path    string
		formats []string
		want    string
	}{
		{base, []string{"png", "gif"}, `unsupported format "gif"`},
		{base, []string{"svg", "SVG"}, "given twice"},
		{base + ".png", nil, "without the extension"},
		{"", nil, "empty path"},
		{filepath.Join(dir, "missing", "fig4"), nil, "no such file"},
	} {
		_, err := Save(fig, tc.path, tc.formats...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Save(%q, %v) error %v, want %q", tc.path, tc.formats, err, tc.want)
		}
	}
	if _, err := Save(nil, base); err == nil {
		t.Error("nil figure accepted")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("failed saves left %d entries in the directory", len(ents))
	}

	if err := os.WriteFile(base+".svg", []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Save(fig, base, "svg"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(base + ".svg")
	if err := wellFormedXML(b); err != nil {
		t.Errorf("replaced SVG: %v", err)
	}
	assertNoTemp(t, dir)
}

func wellFormedXML(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	var root bool
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			if !root {
				return errors.New("no root element")
			}
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && !root {
			if se.Name.Local != "svg" {
				return errors.New("root element is " + se.Name.Local)
			}
			root = true
		}
	}
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
