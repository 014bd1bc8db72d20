package shard

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// Reasons a set of partial files is refused (besides ErrCorrupt).
var (
	ErrMismatch  = errors.New("partial results of different runs")
	ErrDuplicate = errors.New("shard present twice")
	ErrMissing   = errors.New("missing shard")
)

// Refusal is a set of partial files that cannot be merged; Files names
// the files concerned and Reason is one of ErrCorrupt, ErrMismatch,
// ErrDuplicate, ErrMissing.
type Refusal struct {
	Reason error
	Files  []string
	Msg    string
}

func (r *Refusal) Error() string { return r.Msg }
func (r *Refusal) Unwrap() error { return r.Reason }

// Input is one partial-result file as read.
type Input struct {
	Name string
	Data []byte
}

// File is one checked partial-result file.
type File struct {
	Name string
	*Partial
}

// Set is a complete, consistent set of partial results: one file per
// shard, ordered by shard index.
type Set struct {
	Files []File
}

// Version is the cnisim version that ran the shards.
func (s *Set) Version() string { return s.Files[0].Version }

// Scenario is the resolved scenario the shards ran.
func (s *Set) Scenario() string { return s.Files[0].Scenario }

// Combine checks the files in the order of the reasons above (every
// corrupt file, then disagreement on scenario, version or shard count,
// then duplicates, then gaps) and returns them as a Set, the same whatever
// order they came in.
func Combine(in []Input) (*Set, error) {
	if len(in) == 0 {
		return nil, &Refusal{Reason: ErrMissing, Msg: "no partial results"}
	}
	var files []File
	var corrupt []string
	var msgs []string
	for _, f := range in {
		p, err := Unmarshal(f.Data)
		if err != nil {
			corrupt = append(corrupt, f.Name)
			msgs = append(msgs, f.Name+": "+strings.TrimPrefix(err.Error(), ErrCorrupt.Error()+": "))
			continue
		}
		files = append(files, File{f.Name, p})
	}
	if len(corrupt) > 0 {
		return nil, &Refusal{Reason: ErrCorrupt, Files: corrupt,
			Msg: ErrCorrupt.Error() + ": " + strings.Join(msgs, "; ")}
	}
	slices.SortFunc(files, func(a, b File) int {
		return cmp.Or(cmp.Compare(a.Shard, b.Shard), cmp.Compare(a.Name, b.Name))
	})
	for _, d := range []struct {
		what string
		key  func(File) string
	}{
		{"scenarios (sha256 of the resolved scenario)", func(f File) string { return f.ScenarioSHA256 }},
		{"cnisim versions", func(f File) string { return f.Version }},
		{"shard counts", func(f File) string { return fmt.Sprint(f.Shards) }},
	} {
		if err := agree(files, d.what, d.key); err != nil {
			return nil, err
		}
	}
	n := files[0].Shards
	for i := 1; i < len(files); i++ {
		if files[i].Shard == files[i-1].Shard {
			var names []string
			for _, f := range files {
				if f.Shard == files[i].Shard {
					names = append(names, f.Name)
				}
			}
			return nil, &Refusal{Reason: ErrDuplicate, Files: names,
				Msg: fmt.Sprintf("shard %d/%d present twice: %s", files[i].Shard, n, strings.Join(names, ", "))}
		}
	}
	if len(files) < n {
		var missing, want []string
		have := map[int]bool{}
		for _, f := range files {
			have[f.Shard] = true
		}
		for i := range n {
			if !have[i] {
				s := Spec{i, n}
				missing = append(missing, s.String())
				want = append(want, s.FileName())
			}
		}
		const show = 10
		if len(missing) > show {
			missing = append(missing[:show], fmt.Sprintf("... (%d in all)", len(missing)))
			want = append(want[:show], "...")
		}
		return nil, &Refusal{Reason: ErrMissing, Files: want,
			Msg: fmt.Sprintf("missing shards %s: no %s among the %d partial results found", strings.Join(missing, ", "), strings.Join(want, ", "), len(files))}
	}
	return &Set{Files: files}, nil
}

// agree refuses files whose key differs, naming the files of each value.
func agree(files []File, what string, key func(File) string) error {
	groups := map[string][]string{}
	for _, f := range files {
		groups[key(f)] = append(groups[key(f)], f.Name)
	}
	if len(groups) < 2 {
		return nil
	}
	var parts, names []string
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		parts = append(parts, fmt.Sprintf("%s in %s", k, strings.Join(groups[k], ", ")))
		names = append(names, groups[k]...)
	}
	slices.Sort(names)
	return &Refusal{Reason: ErrMismatch, Files: names,
		Msg: fmt.Sprintf("%s: different %s: %s", ErrMismatch, what, strings.Join(parts, "; "))}
}

// Units checks every file against the plan its scenario loads to (each
// holds exactly its shard's units, with their seeds) and returns all unit
// results.
func (s *Set) Units(p *scenario.Plan) ([]run.UnitResult, error) {
	all := run.Units(p)
	var out []run.UnitResult
	for _, f := range s.Files {
		want := Select(all, f.Shard, f.Shards)
		got := f.UnitResults()
		ok := len(got) == len(want)
		for i := 0; ok && i < len(got); i++ {
			ok = got[i].Unit == want[i] && got[i].Seed == run.UnitSeed(p.Base.Seed, want[i].Point, want[i].Rep)
		}
		if !ok {
			return nil, &Refusal{Reason: ErrCorrupt, Files: []string{f.Name},
				Msg: fmt.Sprintf("%s: %s: it does not hold the %d units (with their seeds) of shard %d/%d of its scenario (%d points x %d replications)",
					ErrCorrupt, f.Name, len(want), f.Shard, f.Shards, p.Len(), p.Base.Replications)}
		}
		out = append(out, got...)
	}
	return out, s.sameMetrics(out)
}

// sameMetrics refuses a unit whose metric names (scalars, distributions,
// groups) differ from those of its point's first replication: every
// replication of a point runs the same workload and measures the same
// metrics, so a missing or extra one is a damaged or edited file (its
// checksum recomputed) or shards of different builds. urs are in file
// order, each file's units in unit order.
func (s *Set) sameMetrics(urs []run.UnitResult) error {
	type ref struct {
		names []string
		file  string
		rep   int
	}
	first := map[int]ref{}
	i := 0
	for _, f := range s.Files {
		for range f.Units {
			u := urs[i]
			i++
			names := metricNames(u.Sample)
			r, ok := first[u.Point]
			if !ok || u.Rep < r.rep {
				if ok && !slices.Equal(names, r.names) {
					return metricRefusal(r.file, u.Point, r.rep, r.names, f.Name, u.Rep, names)
				}
				first[u.Point] = ref{names, f.Name, u.Rep}
				continue
			}
			if !slices.Equal(names, r.names) {
				return metricRefusal(f.Name, u.Point, u.Rep, names, r.file, r.rep, r.names)
			}
		}
	}
	return nil
}

// metricNames lists a sample's metrics as "kind:name", sorted.
func metricNames(smp run.Sample) []string {
	var out []string
	for n := range smp.Scalars {
		out = append(out, "scalar "+n)
	}
	for n := range smp.Dists {
		out = append(out, "distribution "+n)
	}
	for n := range smp.Groups {
		out = append(out, "group "+n)
	}
	slices.Sort(out)
	return out
}

// metricRefusal names the file whose unit differs and what differs.
func metricRefusal(file string, point, rep int, names []string, refFile string, refRep int, refNames []string) error {
	var missing, extra []string
	for _, n := range refNames {
		if !slices.Contains(names, n) {
			missing = append(missing, n)
		}
	}
	for _, n := range names {
		if !slices.Contains(refNames, n) {
			extra = append(extra, n)
		}
	}
	var what []string
	if len(missing) > 0 {
		what = append(what, "missing "+strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		what = append(what, "extra "+strings.Join(extra, ", "))
	}
	return &Refusal{Reason: ErrCorrupt, Files: []string{file},
		Msg: fmt.Sprintf("%s: %s: point %d replication %d measured other metrics than replication %d of the point (in %s): %s",
			ErrCorrupt, file, point, rep, refRep, refFile, strings.Join(what, "; "))}
}
