package fit

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/cnisim/cnisim/internal/readfile"
	"github.com/cnisim/cnisim/models/datapath"
)

// Measurements is a measurements file read into rows.
type Measurements struct {
	File   string
	SHA256 string // of the file's bytes, for provenance
	Rows   []Row
}

// Required columns, in the order a file usually has them.
var requiredCols = []string{"plugin", "mode", "placement", "mtu", "throughput_mbps", "cpp_total"}

// Optional columns besides cpp_<stage>: the ACKs per data packet the
// measured node handled and the mean IP bytes of a data packet (an empty
// cell: not measured; DefaultAcksPerPacket, or the pod MTU), and whether
// the mode's encryption was on (true or false; empty: false).
var optionalCols = []string{"acks_per_packet", "bytes_per_packet", "encrypt"}

// LoadMeasurements reads a measurements CSV file.
func LoadMeasurements(path string) (*Measurements, error) {
	data, err := readfile.Read(path, readfile.Limit, "a measurements CSV file")
	if err != nil {
		return nil, err
	}
	return ReadMeasurements(bytes.NewReader(data), path)
}

// ReadMeasurements reads CSV with the header
//
//	plugin,mode,placement,mtu,throughput_mbps,cpp_total[,acks_per_packet][,bytes_per_packet][,encrypt][,cpp_<stage>...]
//
// (columns in any order; lines starting with # are comments; an empty
// optional cell means not measured). Errors name file, line and column.
func ReadMeasurements(r io.Reader, file string) (*Measurements, error) {
	h := sha256.New()
	cr := csv.NewReader(io.TeeReader(r, h))
	cr.Comment = '#'
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file (want the header %s[,acks_per_packet][,bytes_per_packet][,encrypt][,cpp_<stage>...])", file, strings.Join(requiredCols, ","))
	}
	if err != nil {
		return nil, csvErr(file, err)
	}
	cols, err := columnsOf(header)
	if err != nil {
		line, _ := cr.FieldPos(0)
		return nil, fmt.Errorf("%s:%d: header: %w", file, line, err)
	}
	m := &Measurements{File: file}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(file, err)
		}
		row, err := parseRow(rec, header, cols, cr)
		if err != nil {
			return nil, fmt.Errorf("%s:%w", file, err)
		}
		m.Rows = append(m.Rows, row)
	}
	if len(m.Rows) == 0 {
		return nil, fmt.Errorf("%s: no measurements after the header", file)
	}
	m.SHA256 = hex.EncodeToString(h.Sum(nil))
	return m, nil
}

func csvErr(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s:%d:%d: %v", file, pe.Line, pe.Column, pe.Err)
	}
	return fmt.Errorf("%s: %w", file, err)
}

// colIndex maps a column to its meaning: index of a required column, or
// the stage kind of a cpp_<stage> column.
type colIndex struct {
	named map[string]int
	stage map[int]datapath.Kind
}

func columnsOf(header []string) (colIndex, error) {
	ci := colIndex{named: map[string]int{}, stage: map[int]datapath.Kind{}}
	seen := map[string]bool{}
	for i, name := range header {
		name = strings.TrimSpace(name)
		if seen[name] {
			return ci, fmt.Errorf("column %d: duplicate column %q", i+1, name)
		}
		seen[name] = true
		if slices.Contains(requiredCols, name) || slices.Contains(optionalCols, name) {
			ci.named[name] = i
			continue
		}
		if st, ok := strings.CutPrefix(name, "cpp_"); ok {
			k, err := datapath.ParseKind(st)
			if err != nil {
				return ci, fmt.Errorf("column %d %q: %v", i+1, name, err)
			}
			ci.stage[i] = k
			continue
		}
		return ci, fmt.Errorf("column %d: unknown column %q (allowed: %s, %s, cpp_<stage>)", i+1, name, strings.Join(requiredCols, ", "), strings.Join(optionalCols, ", "))
	}
	for _, c := range requiredCols {
		if _, ok := ci.named[c]; !ok {
			return ci, fmt.Errorf("missing column %q (required: %s)", c, strings.Join(requiredCols, ", "))
		}
	}
	return ci, nil
}

func parseRow(rec, header []string, ci colIndex, cr *csv.Reader) (Row, error) {
	line, _ := cr.FieldPos(0)
	at := func(i int, format string, a ...any) error {
		l, c := cr.FieldPos(i)
		return fmt.Errorf("%d:%d: column %s: %s", l, c, strings.TrimSpace(header[i]), fmt.Sprintf(format, a...))
	}
	get := func(name string) (int, string) {
		i := ci.named[name]
		return i, strings.TrimSpace(rec[i])
	}
	num := func(name string, min float64) (float64, error) {
		i, s := get(name)
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < min {
			return 0, at(i, "want a finite number >= %g, got %q", min, s)
		}
		return v, nil
	}
	r := Row{Line: line}
	var i int
	if i, r.Plugin = get("plugin"); r.Plugin == "" {
		return r, at(i, "empty plugin")
	}
	_, r.Mode = get("mode") // empty: the plugin's default mode
	i, r.Placement = get("placement")
	if p := datapath.Placement(r.Placement); p != datapath.Intra && p != datapath.Inter {
		return r, at(i, "unknown placement %q (valid: intra, inter)", r.Placement)
	}
	i, s := get("mtu")
	mtu, err := strconv.Atoi(s)
	if err != nil || mtu < 576 || mtu > 65535 {
		return r, at(i, "want an integer MTU in 576..65535 (as scenarios), got %q", s)
	}
	r.MTU = mtu
	if r.ThroughputMbps, err = num("throughput_mbps", 0); err != nil {
		return r, err
	}
	if r.CPPTotal, err = num("cpp_total", 0); err != nil {
		return r, err
	}
	if i, ok := ci.named["acks_per_packet"]; ok {
		if s := strings.TrimSpace(rec[i]); s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || !(v >= 0 && v <= MaxAcksPerPacket) {
				return r, at(i, "want ACKs per data packet in 0..%d (the receiver's TcpOutSegs / TcpInSegs) or empty, got %q", MaxAcksPerPacket, s)
			}
			r.AcksPerPacket, r.HasAcks = v, true
		}
	}
	if i, ok := ci.named["bytes_per_packet"]; ok {
		if s := strings.TrimSpace(rec[i]); s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || !(v >= 1 && v <= 65535) {
				return r, at(i, "want the mean IP bytes of a data packet in 1..65535 or empty (full-sized: the pod MTU), got %q", s)
			}
			r.BytesPerPacket = v
		}
	}
	if i, ok := ci.named["encrypt"]; ok {
		switch s := strings.TrimSpace(rec[i]); s {
		case "true":
			r.Encrypt = true
		case "false", "":
		default:
			return r, at(i, "want true, false or empty, got %q", s)
		}
	}
	for j := range rec { // stage columns in file order: deterministic
		k, ok := ci.stage[j]
		if !ok {
			continue
		}
		s := strings.TrimSpace(rec[j])
		if s == "" {
			continue // not measured
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return r, at(j, "want a finite number >= 0 or empty (not measured), got %q", s)
		}
		if r.CPPStage == nil {
			r.CPPStage = map[datapath.Kind]float64{}
		}
		r.CPPStage[k] = v
	}
	return r, nil
}
