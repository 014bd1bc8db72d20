package workload

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The means stated in the data files' comments, recomputed (derived:
// P0*S0 + sum of (P[i]-P[i-1]) * (S[i]+S[i-1])/2).
func TestBuiltinFlowSizeMeans(t *testing.T) {
	for name, want := range map[string]float64{FlowSizesWebSearch: 1_711_250, FlowSizesDataMining: 5_036_535.175} {
		d, err := LoadFlowSizes(name)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(d.Mean()-want) > 0.01 {
			t.Errorf("%s: mean %f, want %f", name, d.Mean(), want)
		}
	}
}

// The sampler reproduces the CDF: a Kolmogorov-Smirnov test of 20,000
// draws per seed against the piecewise-linear CDF, at the 0.1% level
// (critical D = 1.95/sqrt(n)), for the built-ins and a CDF with an atom.
func TestFlowSizeSamplerKS(t *testing.T) {
	atom, err := ParseCDF("atom", []byte("1000 0.5\n3000 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	web, _ := LoadFlowSizes(FlowSizesWebSearch)
	dm, _ := LoadFlowSizes(FlowSizesDataMining)
	const n = 20000
	crit := 1.95 / math.Sqrt(n)
	for _, d := range []*FlowSizes{web, dm, atom} {
		for seed := uint64(1); seed <= 3; seed++ {
			rng := rand.New(rand.NewPCG(seed, 7))
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = float64(d.Sample(rng))
			}
			slices.Sort(xs)
			var dmax float64
			for i := 0; i < n; {
				j := i
				for j < n && xs[j] == xs[i] {
					j++
				}
				// at a value shared by draws i..j-1: F_n jumps from i/n to j/n
				f, fminus := d.CDF(xs[i]), d.CDF(math.Nextafter(xs[i], 0)-0.5)
				dmax = max(dmax, math.Abs(float64(j)/n-f), math.Abs(float64(i)/n-fminus))
				i = j
			}
			if dmax > crit {
				t.Errorf("%s seed %d: KS D = %.4f > %.4f", d.Name, seed, dmax, crit)
			}
		}
	}
}

func TestFlowSizeQuantileEnds(t *testing.T) {
	d, _ := LoadFlowSizes(FlowSizesWebSearch)
	if got := d.quantile(0); got != 1 { // the first point is 0 bytes: at least 1
		t.Errorf("quantile(0) = %d, want 1", got)
	}
	if got := d.quantile(math.Nextafter(1, 0)); got != 30_000_000 {
		t.Errorf("quantile(1-) = %d, want 30000000", got)
	}
	if got := d.quantile(0.15); got != 10000 {
		t.Errorf("quantile(0.15) = %d, want 10000", got)
	}
}

func TestParseCDFErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "f: no points"},
		{"# only a comment\n", "f: no points"},
		{"100 0.5\n", "f:1: the last probability is 0.5"},
		{"100\n", "f:1: want \"size_bytes cumulative_probability\""},
		{"100 0.5 7\n", "f:1: want"},
		{"100,0.5,7\n", "f:1: want"},
		{"-1 0\n10 1\n", "f:1: size \"-1\""},
		{"1.5 0\n10 1\n", "f:1: size \"1.5\""},
		{"10 0\n20 15\n", "f:2: probability \"15\": want a number in [0, 1] (a percentage column: divide by 100)"},
		{"10 0\n20 NaN\n", "f:2: probability \"NaN\""},
		{"10 0\n5 1\n", "f:2: size 5 is less than the previous point's 10"},
		{"10 0.5\n20 0.2\n30 1\n", "f:2: probability 0.2 is less"},
		{"10 0\n10 0\n20 1\n", "f:2: repeats the previous point"},
		{"10 0\n20 1\n30 1\n", "f:3: a point after probability 1 (line 2)"},
		{"0 1\n", "f: the mean flow size is 0 bytes"},
		{"1099511627777 1\n", "f:1: size \"1099511627777\""},
		{strings.Repeat("x", 300) + "\n", "f:1: line longer than 256 bytes"},
	} {
		_, err := ParseCDF("f", []byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseCDF(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
	for _, ok := range []string{"100 1", "0 0\n10,0.5 # comment\n\t20\t1\n", "5 0.25\n5 0.5\n10 1"} {
		if _, err := ParseCDF("f", []byte(ok)); err != nil {
			t.Errorf("ParseCDF(%q): %v", ok, err)
		}
	}
}

func TestLoadFlowSizesFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "my.cdf")
	if err := os.WriteFile(p, []byte("1000 0\n2000 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadFlowSizes(p)
	if err != nil || d.Mean() != 1500 {
		t.Fatalf("LoadFlowSizes: %v %v", d, err)
	}
	if _, err := LoadFlowSizes(filepath.Join(dir, "missing.cdf")); err == nil || !strings.Contains(err.Error(), "not a built-in (websearch, datamining), a constant size (constant:100000) nor an existing file") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := LoadFlowSizes(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("directory: %v", err)
	}
}

// TestConstantFlowSize: "constant:N" samples N every time, its mean N;
// what is not a positive integer up to MaxFlowBytes is refused.
func TestConstantFlowSize(t *testing.T) {
	d, err := LoadFlowSizes("constant:100000")
	if err != nil || d.Mean() != 100000 {
		t.Fatalf("constant:100000: %v, %v", d, err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		if v := d.Sample(rng); v != 100000 {
			t.Fatalf("sampled %d", v)
		}
	}
	for _, bad := range []string{"constant:", "constant:0", "constant:-5", "constant:1e5", "constant:1099511627777"} {
		if _, err := LoadFlowSizes(bad); err == nil || !strings.Contains(err.Error(), "want constant:BYTES, an integer number of bytes in [1, 1099511627776]") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// FuzzParseCDF: any input parses or fails with an error naming the file;
// a parsed CDF samples sizes within its range and has a finite mean.
func FuzzParseCDF(f *testing.F) {
	for _, s := range []string{"0 0\n10000 0.15\n30000000 1\n", "100,0\n1000,1\n", "5 0.25\n5 0.5\n10 1", "# c\n\n1 1"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseCDF("fz", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fz") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if math.IsNaN(d.Mean()) || math.IsInf(d.Mean(), 0) || d.Mean() < 1 {
			t.Fatalf("mean %v", d.Mean())
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for range 100 {
			x := d.Sample(rng)
			if x < 1 || float64(x) > math.Max(1, d.Size[len(d.Size)-1]) {
				t.Fatalf("sample %d outside [1, %g]", x, d.Size[len(d.Size)-1])
			}
		}
	})
}

// FuzzConstantFlowSize: "constant:" and any text loads or is refused; what
// loads is that many bytes, every sample.
func FuzzConstantFlowSize(f *testing.F) {
	for _, s := range []string{"100000", "1", "0", "-1", "1e5", "1099511627776", " 5", "+5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		d, err := LoadFlowSizes(ConstantPrefix + text)
		if err != nil {
			return
		}
		v, perr := strconv.ParseUint(text, 10, 64)
		if perr != nil || d.Mean() != float64(v) || d.Sample(rand.New(rand.NewPCG(1, 1))) != int64(v) {
			t.Errorf("%q: mean %g, parsed %d (%v)", text, d.Mean(), v, perr)
		}
	})
}
