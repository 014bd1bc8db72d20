package plots

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/cnisim/cnisim/internal/golden"
)

// TestGolden compares each figure kind, drawn from the fixtures, with its image
// in testdata, pixel by pixel (gonum/plot's cmpimg is not used: it imports
// rsc.io/pdf, which go.mod does not require). After an intended change run
//
//	go test ./plots -run '^TestGolden$' -update
//
// and look at the rewritten images (git diff, or an image viewer) before
// committing them.
func TestGolden(t *testing.T) {
	t.Parallel()
	long := fig6Bars()
	long.Title = "FIB lookups, long plugin names (fixture)"
	long.Categories = []string{"flannel-vxlan", "weave-fastdp-encrypted", "cilium-geneve", "calico-ipip-policy", "kube-router-native"}
	for _, tc := range []struct {
		name string
		spec Spec
	}{
		{"bars_grouped_ci", fig3Bars()},
		{"bars_simple", fig6Bars()},
		{"bars_rotated_labels", long},
		{"stacked", fig4Stacked()},
		{"lines", mtuLines()},
		{"lines_logx", linkLines()},
		{"timeseries", asyncTimeSeries()},
		{"timeseries_marks", asyncMarked()},
		{"cdf", latencyCDF()},
		{"lines_clipped", encapLines()},
		{"bars_absent_clipped", absentBars()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fig, err := tc.spec.Figure()
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, fig, tc.name)
		})
	}
}

// checkGolden compares fig as PNG, pixel by pixel, with testdata/name_golden.png.
func checkGolden(t *testing.T, fig *Figure, name string) {
	t.Helper()
	path := filepath.Join("testdata", name+"_golden")
	if golden.Update() {
		if _, err := Save(fig, path, "png"); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := fig.Encode("png")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(path + ".png")
	if err != nil {
		t.Fatalf("%v (create it: %s)", err, golden.Command(t))
	}
	if !samePixels(t, got, want) {
		t.Errorf("%s differs from %s.png in its pixels; if the change is intended, rewrite the images with %s and look at them before committing",
			name, path, golden.Command(t))
	}
}

func samePixels(t *testing.T, a, b []byte) bool {
	t.Helper()
	if bytes.Equal(a, b) {
		return true
	}
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		return false
	}
	return pixelsEqual(ia, ib)
}

func pixelsEqual(a, b image.Image) bool {
	r := a.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, a1 := a.At(x, y).RGBA()
			r2, g2, b2, a2 := b.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 || a1 != a2 {
				return false
			}
		}
	}
	return true
}
