package catalog

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/cnisim/cnisim/experiments/report"
)

// Produce runs e, analyses it, writes its directory dir and returns its
// report section, whose links are relative paths under rel (the section's
// directory as seen from the report).
func (r *Runner) Produce(ctx context.Context, e *Experiment, dir, rel string) (report.Section, error) {
	sec := report.Section{Name: e.Name, Title: e.Title, About: e.About, Trust: trust[e.Name], Command: r.command(e)}
	d, err := r.Run(ctx, e)
	if sw := (*SweptError)(nil); errors.As(err, &sw) {
		sec.Skipped = fmt.Sprintf("it sweeps %s (scenario %s), which %s would fix: run it without that flag", sw.Key, sw.File, sw.Source)
		return sec, nil
	}
	if err != nil {
		sec.Err = err.Error()
		return sec, err
	}
	out, err := e.Analyse(d)
	if err != nil {
		err = fmt.Errorf("experiment %s: analysis: %w", e.Name, err)
		sec.Err = err.Error()
		return sec, err
	}
	fs, err := d.Files(out, r.Version)
	if err == nil {
		err = WriteDir(dir, fs)
	}
	if err != nil {
		sec.Err = err.Error()
		return sec, err
	}
	for _, f := range out.Figures {
		sec.Figures = append(sec.Figures, report.Image{File: path.Join(rel, f.Name+".png"), Alt: path.Join(rel, f.Name+".svg"), Caption: f.Caption})
	}
	sec.Tables, sec.Checks, sec.Notes = out.Tables, out.Checks, out.Notes
	for _, sr := range d.Runs {
		if sr.Precision != "" {
			sec.Notes = append(sec.Notes, fmt.Sprintf("Replications (%s): %s.", sr.File, sr.Precision))
		}
	}
	for _, f := range fs {
		if strings.HasSuffix(f.Name, ".json") || strings.HasSuffix(f.Name, ".csv") || strings.HasSuffix(f.Name, ".toml") {
			sec.Files = append(sec.Files, path.Join(rel, f.Name))
		}
	}
	// Links name only what is on disk.
	for _, l := range append(append([]string{}, sec.Files...), figureLinks(sec)...) {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(l, rel+"/")))); err != nil {
			return sec, fmt.Errorf("experiment %s: %w", e.Name, err)
		}
	}
	return sec, nil
}

func figureLinks(s report.Section) []string {
	var out []string
	for _, im := range s.Figures {
		out = append(out, im.File, im.Alt)
	}
	return out
}

// command is the command line that reruns e alone in the same form.
func (r *Runner) command(e *Experiment) string {
	c := "cnisim experiment " + e.Name
	if r.Quick {
		c += " --quick"
	}
	if r.Reps > 0 {
		c += fmt.Sprintf(" --reps %d", r.Reps)
	}
	for _, s := range r.Sets {
		c += " " + s.Source
	}
	return c
}
