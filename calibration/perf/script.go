package perf

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// sample is one record of `perf script` output. Every header field is
// optional (perf script -F picks them): comm "" and hasPid false when the
// layout has none.
type sample struct {
	line      int // line of the header, for errors
	comm      string
	pid, tid  int // tid = pid when the layout prints one number
	hasPid    bool
	cpu       int // -1: the script has no cpu field
	period    float64
	hasPeriod bool
	event     string  // as printed, without the trailing colon: "cycles:ppp"; "" if absent
	frames    []frame // leaf first
}

// frame is one stack frame: its cleaned symbol and whether it is kernel
// code (the symbol rules apply to kernel frames unless a rule says
// otherwise; user-space hash functions named aes* are not encryption).
type frame struct {
	sym  string
	user bool
}

// lineError is a parse error at a line of the script; AnalyzeFile prints
// it as file:line: message.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

func lineErrorf(line int, format string, a ...any) error {
	return &lineError{line: line, msg: fmt.Sprintf(format, a...)}
}

var (
	pidRE    = regexp.MustCompile(`^-?\d+(?:/-?\d+)?$`)
	cpuRE    = regexp.MustCompile(`^\[\d+\]$`)
	timeRE   = regexp.MustCompile(`^\d+\.\d+:$`)
	periodRE = regexp.MustCompile(`^\d+$`)
)

const maxLine = 1 << 20 // C++ and Rust symbols can be long; 1 MiB is plenty

// errNotText is returned for binary perf.data input.
var errNotText = errors.New(`binary perf.data file (magic "PERFILE"): convert it first with ` +
	"`perf script -i perf.data > out.txt` (run on the machine that recorded it, for the symbols)")

// MaxPeriod bounds one sample's period, in event units (derived: 1e15
// cycles is 4.8 days of a 2.4 GHz core, 1e15 ns of cpu-clock 11.6 days,
// per sample; with at most MaxScriptBytes/20 samples the sum stays below
// 1e24, far from +Inf, which printed "+Inf" and failed JSON).
const MaxPeriod = 1e15

// MaxScriptBytes bounds the text of one perf script, after
// decompression (derived: 50x the largest committed capture, 20.4 MB
// inflated, testdata/perf/ipt-legacy-*; a gzip bomb of 4.5 MB inflates to
// 4.6 GB and would otherwise be read to its end).
const MaxScriptBytes = 1 << 30

// errTooLarge is returned by the reader openText hands out once more than
// MaxScriptBytes have been read.
var errTooLarge = fmt.Errorf("perf script text larger than %d MiB (after decompression): split the capture or record fewer seconds", MaxScriptBytes>>20)

// capped reads at most n more bytes, then fails with errTooLarge (not a
// silent EOF, which would analyze a truncated capture).
type capped struct {
	r io.Reader
	n int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.n <= 0 { // at the cap: fine if the text ends here
		var one [1]byte
		if n, err := c.r.Read(one[:]); n == 0 && err != nil {
			return 0, err
		}
		return 0, errTooLarge
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// openText returns a reader of the text of in, decompressing gzip
// (detected by its magic bytes) and refusing binary perf.data. The text
// is capped at MaxScriptBytes.
func openText(in io.Reader) (io.Reader, error) {
	return openTextCap(in, MaxScriptBytes)
}

func openTextCap(in io.Reader, limit int64) (io.Reader, error) {
	br := bufio.NewReaderSize(in, 64<<10)
	magic, _ := br.Peek(8)
	switch {
	case len(magic) == 0:
		return nil, errors.New("empty file")
	case bytes.HasPrefix(magic, []byte("PERFILE")):
		return nil, errNotText
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return openTextCap(zr, limit) // a gzipped perf.data is still binary
	}
	return &capped{r: br, n: limit}, nil
}

// parseScript reads perf script text and calls fn for every sample in
// order. Errors carry the line number.
func parseScript(in io.Reader, fn func(*sample) error) error {
	r, err := openText(in)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var cur *sample
	flush := func() error {
		if cur == nil {
			return nil
		}
		s := cur
		cur = nil
		return fn(s)
	}
	n, nonBlank := 0, 0
	prevBlank := false // -F without header fields prints an empty header line
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			if err := flush(); err != nil {
				return err
			}
			prevBlank = true
			continue
		}
		nonBlank++
		afterBlank := prevBlank
		prevBlank = false
		if line[0] == '\t' {
			if cur == nil && afterBlank { // a sample whose header has no fields (-F ip,sym)
				cur = &sample{line: n, cpu: -1}
			}
			if cur == nil {
				return lineErrorf(n, "stack frame outside a sample: %q", clip(line))
			}
			cur.frames = append(cur.frames, parseFrame(line))
			continue
		}
		if strings.HasPrefix(strings.TrimSpace(line), "#") { // perf script --header
			continue
		}
		s, err := parseHeader(line, n)
		if err != nil {
			return err
		}
		if err := flush(); err != nil {
			return err
		}
		cur = s
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return lineErrorf(n+1, "line longer than %d bytes", maxLine)
		}
		return err
	}
	if nonBlank == 0 {
		return errors.New("empty file")
	}
	return flush()
}

// parseHeader reads a sample header. perf script prints the fields it was
// asked for in a fixed order, each optional:
//
//	comm pid[/tid] [cpu] time: period event: ip sym+off (dso)
//
// The comm may contain spaces: it is what comes before the first field
// that looks like one of the others. The ip/sym/dso tail is the sampled
// frame of a script without call stacks. A number read as the period (or
// the pid) followed by a symbol without an address was the ip of a layout
// without those fields.
func parseHeader(line string, n int) (*sample, error) {
	toks := tokens(line)
	s := &sample{line: n, cpu: -1}
	i := 0
	for i < len(toks) && !headerField(toks[i].s) {
		i++
	}
	if i == len(toks) {
		if len(toks) > 0 && isAddr(toks[0].s) { // -F ip,sym without a stack: the frame only
			s.frames = append(s.frames, parseFrame(line))
			return s, nil
		}
		return nil, lineErrorf(n, "unparsable line %q (want a sample header such as "+
			"`comm pid [cpu] time: period event:` or a tab-indented stack frame `addr sym+off (dso)`)", clip(line))
	}
	if i > 0 {
		s.comm = strings.TrimSpace(line[:toks[i].at])
	}
	var pidTok, periodTok string
	if i < len(toks) && pidRE.MatchString(toks[i].s) {
		pidTok = toks[i].s
		p, t, hasTid := strings.Cut(pidTok, "/")
		var err1, err2 error
		s.pid, err1 = strconv.Atoi(p)
		s.tid, err2 = s.pid, nil
		if hasTid {
			s.tid, err2 = strconv.Atoi(t)
		}
		if err1 != nil || err2 != nil {
			return nil, lineErrorf(n, "bad pid %q", pidTok)
		}
		s.hasPid = true
		i++
	}
	if i < len(toks) && cpuRE.MatchString(toks[i].s) {
		c, err := strconv.Atoi(strings.Trim(toks[i].s, "[]"))
		if err != nil {
			return nil, lineErrorf(n, "bad cpu %q", toks[i].s)
		}
		s.cpu = c
		i++
	}
	hasTime := false
	if i < len(toks) && timeRE.MatchString(toks[i].s) {
		hasTime = true
		i++
	}
	if i < len(toks) && periodRE.MatchString(toks[i].s) {
		periodTok = toks[i].s
		p, err := strconv.ParseFloat(periodTok, 64)
		if err != nil {
			return nil, lineErrorf(n, "bad period %q", periodTok)
		}
		if p > MaxPeriod {
			return nil, lineErrorf(n, "period %s larger than %g event units per sample (the bound that keeps sums of periods finite)", periodTok, float64(MaxPeriod))
		}
		s.period, s.hasPeriod = p, true
		i++
	}
	if i < len(toks) && strings.HasSuffix(toks[i].s, ":") && len(toks[i].s) > 1 {
		s.event = strings.TrimSuffix(toks[i].s, ":")
		i++
	}
	tail := ""
	if i < len(toks) {
		tail = strings.TrimSpace(line[toks[i].at:])
	}
	if tail != "" && !isHex(toks[i].s) && s.event == "" {
		switch {
		case s.hasPeriod:
			tail, s.period, s.hasPeriod = periodTok+" "+tail, 0, false
		case s.hasPid && s.comm == "" && s.cpu < 0 && !hasTime:
			tail, s.pid, s.tid, s.hasPid = pidTok+" "+tail, 0, 0, false
		}
	}
	if tail != "" {
		s.frames = append(s.frames, parseFrame(tail)) // one-line layout: the sampled ip
	}
	return s, nil
}

// headerField reports whether a token is one of the fields after the comm.
func headerField(t string) bool {
	return pidRE.MatchString(t) || cpuRE.MatchString(t) || timeRE.MatchString(t) ||
		(strings.HasSuffix(t, ":") && len(t) > 1 && !strings.HasPrefix(t, "["))
}

type token struct {
	s  string
	at int // byte offset in the line
}

// tokens splits a line at runs of spaces and tabs, keeping offsets.
func tokens(line string) []token {
	var ts []token
	for i := 0; i < len(line); {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
			i++
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' {
			j++
		}
		if j > i {
			ts = append(ts, token{line[i:j], i})
		}
		i = j
	}
	return ts
}

// isAddr reports whether t is an instruction address as perf prints one
// leading a frame: hex with a letter in it, or too long for a pid.
func isAddr(t string) bool {
	return isHex(t) && (len(t) > 7 || strings.ContainsAny(t, "abcdefABCDEF"))
}

// parseFrame extracts the cleaned symbol and the space from
// `addr sym+off (dso)`, any part of which may be missing.
func parseFrame(line string) frame {
	s, dso := strings.TrimSpace(line), ""
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, " ("); i >= 0 {
			s, dso = strings.TrimSpace(s[:i]), s[i+2:len(s)-1]
		} else if strings.HasPrefix(s, "(") {
			s, dso = "", s[1:len(s)-1]
		}
	}
	addr := ""
	if f, rest, ok := strings.Cut(s, " "); ok && isHex(f) {
		addr, s = f, strings.TrimSpace(rest)
	} else if isHex(s) {
		addr, s = s, ""
	}
	if s == "" {
		s = "[unknown]"
	}
	sym := cleanSymbol(s)
	user := !kernelDSO(dso)
	switch {
	case dso != "" && dso != "[unknown]":
	case strings.HasPrefix(sym, "bpf_prog_"): // a JIT-ed BPF program: kernel code
		user = false
	case addr != "":
		user = !kernelAddr(addr)
	}
	return frame{sym: sym, user: user}
}

// kernelAddr reports whether a hex address is in the x86-64 or arm64
// kernel half (perf prints kernel addresses as 16 digits from ffff...).
func kernelAddr(a string) bool {
	return len(a) == 16 && strings.HasPrefix(strings.ToLower(a), "ffff")
}

// kernelDSO reports whether a dso as perf prints it is the kernel or a
// module ([kernel.kallsyms], [vxlan]); no dso at all counts as kernel.
func kernelDSO(dso string) bool {
	switch dso {
	case "":
		return true
	case "[unknown]", "[vdso]", "[vsyscall]", "[heap]", "[stack]", "[vvar]":
		return false
	}
	if strings.HasPrefix(dso, "bpf_prog_") { // perf 6.x names a JIT-ed program's dso after it, bare
		return true
	}
	return strings.HasPrefix(dso, "[") && !strings.HasPrefix(dso, "[anon")
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}
