package workload

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"

	"github.com/cnisim/cnisim/internal/readfile"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Built-in flow-size distributions (workload.flow_sizes), shipped as data
// with their citations in flowsizes/*.cdf.
const (
	FlowSizesWebSearch  = "websearch"  // Alizadeh et al., DCTCP, SIGCOMM 2010
	FlowSizesDataMining = "datamining" // Greenberg et al., VL2, SIGCOMM 2009
)

//go:embed flowsizes/*.cdf
var builtinCDFs embed.FS

// FlowSizeNames lists the built-in distributions.
func FlowSizeNames() []string { return []string{FlowSizesWebSearch, FlowSizesDataMining} }

// Limits of a CDF file: far beyond any published distribution, they bound
// the parser's memory and keep sizes within what a TCP write can carry.
const (
	MaxCDFPoints    = 10_000
	MaxFlowBytes    = 1 << 40 // 1 TiB, as workload.file_bytes
	maxCDFLineBytes = 256
	maxCDFFileBytes = 1 << 20
)

// FlowSizes is a flow-size distribution: an empirical CDF given as points
// (size in bytes, cumulative probability), interpolated linearly between
// points as the traffic generators of pFabric, HPCC and htsim do. A first
// point with probability p > 0 is an atom: P(size = that size) = p.
type FlowSizes struct {
	Name  string    // the built-in name or the file it was read from
	Size  []float64 // non-decreasing, bytes
	Prob  []float64 // non-decreasing, the last is 1
	mean  float64
	small float64 // the smallest size a sample can take (>= 1)
}

// ConstantPrefix names a constant flow size: "constant:100000" is every
// flow 100,000 bytes.
const ConstantPrefix = "constant:"

// LoadFlowSizes returns a built-in distribution by name, a constant size
// (ConstantPrefix and a number of bytes) or reads a CDF file (a path,
// resolved by the caller against the scenario's directory).
func LoadFlowSizes(nameOrPath string) (*FlowSizes, error) {
	if text, ok := strings.CutPrefix(nameOrPath, ConstantPrefix); ok {
		size, err := strconv.ParseUint(text, 10, 64)
		if err != nil || size < 1 || size > MaxFlowBytes {
			return nil, fmt.Errorf("%q: want %sBYTES, an integer number of bytes in [1, %d]", nameOrPath, ConstantPrefix, uint64(MaxFlowBytes))
		}
		return ParseCDF(nameOrPath, []byte(text+" 1\n")) // an atom of probability 1
	}
	if slices.Contains(FlowSizeNames(), nameOrPath) {
		data, err := builtinCDFs.ReadFile("flowsizes/" + nameOrPath + ".cdf")
		if err != nil {
			return nil, err
		}
		return ParseCDF(nameOrPath, data)
	}
	return loadCDFFile(nameOrPath)
}

// loadCDFFile reads (a regular file of bounded size) and parses a CDF file.
func loadCDFFile(path string) (*FlowSizes, error) {
	data, err := readfile.ReadRegular(path, maxCDFFileBytes, "a flow-size CDF file")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%q is not a built-in (%s), a constant size (%s100000) nor an existing file", path, strings.Join(FlowSizeNames(), ", "), ConstantPrefix)
	}
	if err != nil {
		return nil, err
	}
	return ParseCDF(path, data)
}

// ParseCDF reads a CDF file strictly: one "size_bytes probability" pair
// per line (separated by spaces, tabs or one comma), '#' comments and
// blank lines ignored; sizes are integers in [0, MaxFlowBytes],
// probabilities in [0, 1], both non-decreasing, no line repeating the
// previous point, the last probability 1 and a positive mean. Errors name
// file:line.
func ParseCDF(file string, data []byte) (*FlowSizes, error) {
	if len(data) > maxCDFFileBytes {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a CDF file may have", file, len(data), maxCDFFileBytes)
	}
	d := &FlowSizes{Name: file}
	lastLine := 0
	err := eachDataLine(file, data, maxCDFLineBytes, func(n int, line string) error {
		f := strings.Fields(strings.Replace(line, ",", " ", 1))
		if len(f) != 2 || strings.Count(line, ",") > 1 {
			return fmt.Errorf("%s:%d: want \"size_bytes cumulative_probability\", got %q", file, n, line)
		}
		size, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil || size > MaxFlowBytes {
			return fmt.Errorf("%s:%d: size %q: want an integer number of bytes in [0, %d]", file, n, f[0], uint64(MaxFlowBytes))
		}
		p, err := strconv.ParseFloat(f[1], 64)
		if err != nil || !(p >= 0 && p <= 1) {
			return fmt.Errorf("%s:%d: probability %q: want a number in [0, 1] (a percentage column: divide by 100)", file, n, f[1])
		}
		if k := len(d.Size); k > 0 {
			ps, pp := d.Size[k-1], d.Prob[k-1]
			switch {
			case float64(size) < ps:
				return fmt.Errorf("%s:%d: size %d is less than the previous point's %.0f: sizes must not decrease", file, n, size, ps)
			case p < pp:
				return fmt.Errorf("%s:%d: probability %g is less than the previous point's %g: a CDF must not decrease", file, n, p, pp)
			case float64(size) == ps && p == pp:
				return fmt.Errorf("%s:%d: repeats the previous point (%d, %g)", file, n, size, p)
			case pp == 1:
				return fmt.Errorf("%s:%d: a point after probability 1 (line %d)", file, n, lastLine)
			}
		}
		if len(d.Size) == MaxCDFPoints {
			return fmt.Errorf("%s:%d: more than %d points", file, n, MaxCDFPoints)
		}
		d.Size = append(d.Size, float64(size))
		d.Prob = append(d.Prob, p)
		lastLine = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(d.Size) == 0 {
		return nil, fmt.Errorf("%s: no points: want lines of \"size_bytes cumulative_probability\"", file)
	}
	if d.Prob[len(d.Prob)-1] != 1 {
		return nil, fmt.Errorf("%s:%d: the last probability is %g: a CDF must end at 1", file, lastLine, d.Prob[len(d.Prob)-1])
	}
	d.mean = d.Prob[0] * d.Size[0]
	for i := 1; i < len(d.Size); i++ {
		d.mean += (d.Prob[i] - d.Prob[i-1]) * (d.Size[i] + d.Size[i-1]) / 2
	}
	d.small = math.Max(1, d.Size[0])
	if !(d.mean >= 1) {
		return nil, fmt.Errorf("%s: the mean flow size is %g bytes: want at least 1", file, d.mean)
	}
	return d, nil
}

// Mean returns the mean of the piecewise-linear distribution, bytes
// (before Sample's rounding to whole bytes, at least 1).
func (d *FlowSizes) Mean() float64 { return d.mean }

// Sample draws a flow size in whole bytes (at least 1) by inverting the
// CDF: one uniform draw, a binary search, a linear interpolation.
func (d *FlowSizes) Sample(rng *rand.Rand) int64 {
	return d.quantile(rng.Float64())
}

// quantile is the inverse CDF at u in [0, 1), rounded to whole bytes.
func (d *FlowSizes) quantile(u float64) int64 {
	i := sort.SearchFloat64s(d.Prob, u) // first i with Prob[i] >= u
	for i < len(d.Prob) && d.Prob[i] <= u {
		i++ // first i with Prob[i] > u
	}
	var x float64
	switch {
	case i == 0:
		x = d.Size[0] // the atom at the first point
	case i >= len(d.Prob):
		x = d.Size[len(d.Size)-1]
	default:
		p0, p1 := d.Prob[i-1], d.Prob[i]
		x = d.Size[i-1] + (u-p0)/(p1-p0)*(d.Size[i]-d.Size[i-1])
	}
	return int64(math.Max(d.small, math.Round(x)))
}

// CDF returns P(size <= x) of the piecewise-linear distribution.
func (d *FlowSizes) CDF(x float64) float64 {
	if x < d.Size[0] {
		return 0
	}
	// last point with Size <= x
	i := sort.Search(len(d.Size), func(k int) bool { return d.Size[k] > x }) - 1
	if i == len(d.Size)-1 {
		return 1
	}
	s0, s1 := d.Size[i], d.Size[i+1]
	if s1 == s0 {
		return d.Prob[i+1]
	}
	return d.Prob[i] + (x-s0)/(s1-s0)*(d.Prob[i+1]-d.Prob[i])
}

// eachDataLine calls fn with each line of a data file that holds data:
// its number (from 1) and its text with any '#' comment and the
// surrounding space removed; blank lines are skipped. A line longer than
// maxLine bytes is an error naming file:line, as is fn's first error,
// which stops the walk.
func eachDataLine(file string, data []byte, maxLine int, fn func(n int, line string) error) error {
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		if len(line) > maxLine {
			return fmt.Errorf("%s:%d: line longer than %d bytes", file, n, maxLine)
		}
		if k := strings.IndexByte(line, '#'); k >= 0 {
			line = line[:k]
		}
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		if err := fn(n, line); err != nil {
			return err
		}
	}
	return nil
}
