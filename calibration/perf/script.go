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

// sample is one record of `perf script` output.
type sample struct {
	line      int // line of the header, for errors
	comm      string
	pid       int
	cpu       int // -1: the script has no cpu field
	period    float64
	hasPeriod bool
	event     string  // as printed, without the trailing colon: "cycles:ppp"
	frames    []frame // leaf first
}

// frame is one stack frame: its cleaned symbol and whether it is kernel
// code (the symbol rules apply to kernel frames unless a rule says
// otherwise; user-space hash functions named aes* are not encryption).
type frame struct {
	sym  string
	user bool
}

// headerRE matches a sample header in any of perf script's layouts:
//
//	comm pid [cpu] time: period event:            (default with -g)
//	comm pid/tid [cpu] time: event:  ip sym (dso) (-F comm,pid,tid,cpu,time,event,ip,sym,dso)
//
// with the tid, cpu, time and period fields each optional. The comm may
// contain spaces, so it is the shortest prefix that leaves a valid rest;
// pid and tid are -1 for a task perf saw exiting.
var headerRE = regexp.MustCompile(`^\s*(.*?)\s+(-?\d+)(?:/(-?\d+))?\s+(?:\[(\d+)\]\s+)?(?:(\d+\.\d+):\s+)?(?:(\d+)\s+)?(\S+):(?:\s+(.*))?$`)

const maxLine = 1 << 20 // C++ and Rust symbols can be long; 1 MiB is plenty

// errNotText is returned for binary perf.data input.
var errNotText = errors.New(`binary perf.data file (magic "PERFILE"): convert it first with ` +
	"`perf script -i perf.data > out.txt` (run on the machine that recorded it, for the symbols)")

// openText returns a reader of the text of in, decompressing gzip
// (detected by its magic bytes) and refusing binary perf.data.
func openText(in io.Reader) (io.Reader, error) {
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
		return openText(zr) // a gzipped perf.data is still binary
	}
	return br, nil
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
	for sc.Scan() {
		n++
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			if err := flush(); err != nil {
				return err
			}
			continue
		}
		nonBlank++
		if line[0] == '\t' {
			if cur == nil {
				return fmt.Errorf("line %d: stack frame outside a sample: %q", n, clip(line))
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
			return fmt.Errorf("line %d: line longer than %d bytes", n+1, maxLine)
		}
		return err
	}
	if nonBlank == 0 {
		return errors.New("empty file")
	}
	return flush()
}

func parseHeader(line string, n int) (*sample, error) {
	m := headerRE.FindStringSubmatch(line)
	if m == nil {
		return nil, fmt.Errorf("line %d: unparsable line %q (want a sample header such as "+
			"`comm pid [cpu] time: period event:` or a tab-indented stack frame `addr sym+off (dso)`)", n, clip(line))
	}
	s := &sample{line: n, comm: m[1], cpu: -1, event: m[7]}
	var err error
	if s.pid, err = strconv.Atoi(m[2]); err != nil {
		return nil, fmt.Errorf("line %d: bad pid %q", n, m[2])
	}
	if m[4] != "" {
		if s.cpu, err = strconv.Atoi(m[4]); err != nil {
			return nil, fmt.Errorf("line %d: bad cpu %q", n, m[4])
		}
	}
	if m[6] != "" {
		if s.period, err = strconv.ParseFloat(m[6], 64); err != nil {
			return nil, fmt.Errorf("line %d: bad period %q", n, m[6])
		}
		s.hasPeriod = true
	}
	if rest := strings.TrimSpace(m[8]); rest != "" {
		s.frames = append(s.frames, parseFrame(rest)) // one-line layout: the sampled ip
	}
	return s, nil
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
	if f, rest, ok := strings.Cut(s, " "); ok && isHex(f) {
		s = strings.TrimSpace(rest)
	} else if isHex(s) {
		s = ""
	}
	if s == "" {
		s = "[unknown]"
	}
	return frame{sym: cleanSymbol(s), user: !kernelDSO(dso)}
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
