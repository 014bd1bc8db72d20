package run

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Progress draws a one-line bar (units done/total, the share of the
// simulated time run when the units publish it, and an ETA) on w, redrawn
// in place with \r. It stays silent for runs shorter than After,
// and redraws at most every Every.
type Progress struct {
	W     io.Writer
	After time.Duration // show nothing before this much time has passed
	Every time.Duration // minimum time between redraws
	Now   func() time.Time

	start, last time.Time
	drawn       bool
	completed   int // units finished (Update)
}

// NewProgress returns a bar on w that appears after one second.
func NewProgress(w io.Writer) *Progress {
	return &Progress{W: w, After: time.Second, Every: 200 * time.Millisecond, Now: time.Now}
}

// Update records that done of total units have finished.
func (p *Progress) Update(done, total int) {
	p.completed = done
	p.draw(float64(done), total, done >= total)
}

// Simulated records that done units' worth of simulated time has run:
// the units completed plus the share of the running ones
// (Config.Simulated). The bar and the ETA follow it, so a run of one long
// replication moves too.
func (p *Progress) Simulated(done float64, total int) { p.draw(done, total, false) }

func (p *Progress) draw(done float64, total int, last bool) {
	now := p.Now()
	if p.start.IsZero() {
		p.start = now
	}
	el := now.Sub(p.start)
	if el < p.After || (now.Sub(p.last) < p.Every && !last) {
		return
	}
	p.last, p.drawn = now, true
	const width = 30
	fill := min(int(width*done/float64(max(total, 1))), width)
	eta := "--"
	if done > 0 {
		eta = (time.Duration(float64(el) * (float64(total) - done) / done)).Round(time.Second).String()
	}
	share := ""
	if done != float64(p.completed) { // running units have published their progress
		share = fmt.Sprintf(", %.0f%% simulated", 100*done/float64(max(total, 1)))
	}
	fmt.Fprintf(p.W, "\r[%s%s] %d/%d replications%s  ETA %s ", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), p.completed, total, share, eta)
}

// Start sets the clock's origin (otherwise the first Update does).
func (p *Progress) Start() { p.start = p.Now() }

// Finish ends the bar's line if one was drawn.
func (p *Progress) Finish() {
	if p.drawn {
		fmt.Fprintln(p.W)
	}
}
