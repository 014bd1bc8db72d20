package run

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	now := time.Unix(0, 0)
	p := NewProgress(&b)
	p.Now = func() time.Time { return now }
	p.Start()
	now = now.Add(500 * time.Millisecond)
	p.Update(1, 4)
	if b.Len() != 0 {
		t.Fatalf("drawn before one second: %q", b.String())
	}
	now = now.Add(1500 * time.Millisecond) // 2 s for 2 of 4: 2 s to go
	p.Update(2, 4)
	if got := b.String(); !strings.Contains(got, "2/4 replications  ETA 2s") || !strings.HasPrefix(got, "\r[===============               ]") {
		t.Errorf("bar %q", got)
	}
	b.Reset()
	now = now.Add(10 * time.Millisecond)
	p.Update(3, 4) // too soon to redraw
	p.Update(4, 4) // the last one always draws
	p.Finish()
	if got := b.String(); !strings.Contains(got, "4/4") || strings.Contains(got, "3/4") || !strings.HasSuffix(got, "\n") {
		t.Errorf("bar %q", got)
	}
}
