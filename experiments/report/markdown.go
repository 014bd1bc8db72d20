package report

import (
	"bytes"
	"fmt"
	"strings"
)

// Markdown renders d.
func Markdown(d *Document) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n\n", d.Title)
	for _, p := range d.Intro {
		b.WriteString(p + "\n\n")
	}
	summary(&b, d)
	for i := range d.Sections {
		section(&b, &d.Sections[i])
	}
	return b.Bytes()
}

// summary is a table of contents with each experiment's check tally.
func summary(b *bytes.Buffer, d *Document) {
	b.WriteString("Orderings count as held only where the 95% intervals of the two sides separate; " +
		"echoes compare the simulation with numbers its calibration profile was built from, so they check arithmetic, not prediction.\n\n")
	b.WriteString("| experiment | what | orderings held | not resolved | numbers within tolerance | echoes of calibration input |\n|---|---|---|---|---|---|\n")
	for _, s := range d.Sections {
		var pass, fail, unres, close, off, echo, echoClose int
		for _, c := range s.Checks {
			if c.Kind == Echo {
				echo++
				if c.Status == Close {
					echoClose++
				}
				continue
			}
			switch c.Status {
			case Pass:
				pass++
			case Fail:
				fail++
			case Unresolved:
				unres++
			case Close:
				close++
			case Off:
				off++
			}
		}
		cells := []string{tally(pass, pass+fail+unres), count(unres), tally(close, close+off), tally(echoClose, echo)}
		switch {
		case s.Skipped != "":
			cells = []string{"skipped", "", "", ""}
		case s.Err != "":
			cells = []string{"failed", "", "", ""}
		}
		fmt.Fprintf(b, "| [%s](#%s) | %s | %s |\n", s.Name, anchor(s.Name), cell(s.Title), strings.Join(cells, " | "))
	}
	b.WriteString("\n")
}

func count(n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprint(n)
}

func tally(k, n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("%d/%d", k, n)
}

func section(b *bytes.Buffer, s *Section) {
	fmt.Fprintf(b, "## %s\n\n**%s**\n\n", s.Name, s.Title)
	if s.About != "" {
		b.WriteString(s.About + "\n\n")
	}
	if s.Trust != "" {
		b.WriteString("**How far to trust this.** " + s.Trust + "\n\n")
	}
	if s.Command != "" {
		fmt.Fprintf(b, "Rerun: `%s`\n\n", s.Command)
	}
	if s.Skipped != "" {
		fmt.Fprintf(b, "> Not run: %s\n\n", s.Skipped)
		return
	}
	if s.Err != "" {
		fmt.Fprintf(b, "> Failed: %s\n\n", s.Err)
		return
	}
	for _, im := range s.Figures {
		fmt.Fprintf(b, "![%s](%s)\n\n", alt(im.Caption), im.File)
		if im.Caption != "" || im.Alt != "" {
			b.WriteString("*" + im.Caption)
			if im.Alt != "" {
				fmt.Fprintf(b, " ([SVG](%s))", im.Alt)
			}
			b.WriteString("*\n\n")
		}
	}
	for _, t := range s.Tables {
		table(b, t)
	}
	if len(s.Checks) > 0 {
		b.WriteString("Against the sources (SOURCE values are typed in from the documents; PREDICTED comes from the simulation):\n\n")
		table(b, checkTable(s.Checks))
	}
	for _, n := range s.Notes {
		b.WriteString("- " + n + "\n")
	}
	if len(s.Notes) > 0 {
		b.WriteString("\n")
	}
	if len(s.Files) > 0 {
		links := make([]string, len(s.Files))
		for i, f := range s.Files {
			links[i] = fmt.Sprintf("[%s](%s)", f[strings.LastIndex(f, "/")+1:], f)
		}
		fmt.Fprintf(b, "Data: %s\n\n", strings.Join(links, ", "))
	}
}

func checkTable(cs []Check) Table {
	t := Table{Header: []string{"claim", "kind", "source", "SOURCE", "PREDICTED", "difference", "status"}}
	for _, c := range cs {
		t.Rows = append(t.Rows, []string{c.Claim, c.KindText(), c.Source, c.SourceVal, c.Predicted, c.Difference, c.StatusText()})
	}
	return t
}

func table(b *bytes.Buffer, t Table) {
	if t.Caption != "" {
		b.WriteString(t.Caption + "\n\n")
	}
	row := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + cell(c) + " |")
		}
		b.WriteString("\n")
	}
	row(t.Header)
	b.WriteString("|" + strings.Repeat("---|", len(t.Header)) + "\n")
	for _, r := range t.Rows {
		row(r)
	}
	b.WriteString("\n")
}

// cell escapes what would break a table row.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

func alt(s string) string { return strings.NewReplacer("[", "(", "]", ")", "\n", " ").Replace(s) }

// anchor is GitHub's heading anchor for a heading made of name only.
func anchor(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

// Links returns every relative link target in md (images and links), for
// checking that each names an existing file.
func Links(md []byte) []string {
	var out []string
	s := string(md)
	for {
		i := strings.Index(s, "](")
		if i < 0 {
			return out
		}
		s = s[i+2:]
		j := strings.IndexByte(s, ')')
		if j < 0 {
			return out
		}
		if l := s[:j]; !strings.HasPrefix(l, "#") && !strings.Contains(l, "://") {
			out = append(out, l)
		}
		s = s[j:]
	}
}
