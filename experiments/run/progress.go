package run

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress draws a one-line bar (units done/total and an ETA) on w,
// redrawn in place with \r. It stays silent for runs shorter than After,
// and redraws at most every Every.
type Progress struct {
	W     io.Writer
	After time.Duration // show nothing before this much time has passed
	Every time.Duration // minimum time between redraws
	Now   func() time.Time

	start, last time.Time
	drawn       bool
}

// NewProgress returns a bar on w that appears after one second.
func NewProgress(w io.Writer) *Progress {
	return &Progress{W: w, After: time.Second, Every: 200 * time.Millisecond, Now: time.Now}
}

// Update records that done of total units have finished.
func (p *Progress) Update(done, total int) {
	now := p.Now()
	if p.start.IsZero() {
		p.start = now
	}
	el := now.Sub(p.start)
	if el < p.After || (now.Sub(p.last) < p.Every && done < total) {
		return
	}
	p.last, p.drawn = now, true
	const width = 30
	fill := width * done / max(total, 1)
	eta := "--"
	if done > 0 {
		eta = (time.Duration(float64(el) * float64(total-done) / float64(done))).Round(time.Second).String()
	}
	fmt.Fprintf(p.W, "\r[%s%s] %d/%d replications  ETA %s ", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), done, total, eta)
}

// Start sets the clock's origin (otherwise the first Update does).
func (p *Progress) Start() { p.start = p.Now() }

// Finish ends the bar's line if one was drawn.
func (p *Progress) Finish() {
	if p.drawn {
		fmt.Fprintln(p.W)
	}
}
