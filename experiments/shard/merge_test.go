package shard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/experimentstest"
	"github.com/cnisim/cnisim/experiments/run"
	"github.com/cnisim/cnisim/experiments/scenario"
)

func loadSmall(t *testing.T) *scenario.Plan {
	t.Helper()
	data, err := os.ReadFile("../run/testdata/small.toml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := scenario.Load("small.toml", data, scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// shards runs every shard of p and returns the files, named dir/partial-I-of-N.json.
func shards(t *testing.T, p *scenario.Plan, n int, version string) []Input {
	t.Helper()
	resolved := p.Base.ResolvedString()
	var in []Input
	for i := range n {
		urs, err := run.RunUnits(context.Background(), p, experimentstest.Fake,
			run.Config{Parallel: 1, Units: Select(run.Units(p), i, n)})
		if err != nil {
			t.Fatal(err)
		}
		s := Spec{i, n}
		data, err := Marshal(New(version, resolved, s, urs))
		if err != nil {
			t.Fatal(err)
		}
		in = append(in, Input{Name: "d/" + s.FileName(), Data: data})
	}
	return in
}

// The shards' units, merged in any order, aggregate to the single run.
func TestCombineEqualsSingleRun(t *testing.T) {
	t.Parallel()
	p := loadSmall(t)
	single, err := run.Run(context.Background(), p, experimentstest.Fake, run.Config{Version: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	var want strings.Builder
	if err := single.WriteJSON(&want); err != nil {
		t.Fatal(err)
	}
	units := len(run.Units(p))
	for _, n := range []int{1, 2, 3, 5, units, units + 3} {
		in := shards(t, p, n, "v1")
		slices.Reverse(in)
		set, err := Combine(in)
		if err != nil {
			t.Fatalf("%d shards: %v", n, err)
		}
		urs, err := set.Units(p)
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		if err := run.Aggregate(p, urs, set.Version()).WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%d shards: merged results differ from the single run:\n%s\n---\n%s", n, got.String(), want.String())
		}
	}
}

func TestCombineRefusals(t *testing.T) {
	t.Parallel()
	p := loadSmall(t)
	four := shards(t, p, 4, "v1")
	other := p.Base.Clone()
	other.Seed = 99
	otherPlan, err := scenario.Load("o.toml", []byte(other.ResolvedString()), scenario.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rename := func(in Input, dir string) Input {
		return Input{Name: dir + in.Name[strings.Index(in.Name, "/"):], Data: in.Data}
	}
	for _, c := range []struct {
		name   string
		in     []Input
		reason error
		files  []string
		msg    []string
	}{
		{"none", nil, ErrMissing, nil, []string{"no partial results"}},
		{"missing", []Input{four[0], four[2]}, ErrMissing,
			[]string{"partial-1-of-4.json", "partial-3-of-4.json"}, []string{"missing shards 1/4, 3/4"}},
		{"duplicate", []Input{four[0], four[1], rename(four[1], "e"), four[2], four[3]}, ErrDuplicate,
			[]string{"d/partial-1-of-4.json", "e/partial-1-of-4.json"}, []string{"shard 1/4 present twice"}},
		{"truncated", []Input{four[0], {four[1].Name, four[1].Data[:len(four[1].Data)/2]}, four[2], four[3]}, ErrCorrupt,
			[]string{"d/partial-1-of-4.json"}, []string{"corrupt or truncated", "d/partial-1-of-4.json: "}},
		{"other scenario", append(four[:3:3], rename(shards(t, otherPlan, 4, "v1")[3], "o")), ErrMismatch,
			[]string{"d/partial-0-of-4.json", "d/partial-1-of-4.json", "d/partial-2-of-4.json", "o/partial-3-of-4.json"},
			[]string{"different scenarios", "o/partial-3-of-4.json"}},
		{"other version", append(four[:3:3], rename(shards(t, p, 4, "v2")[3], "o")), ErrMismatch,
			nil, []string{"different cnisim versions", "v1 in d/partial-0-of-4.json", "v2 in o/partial-3-of-4.json"}},
		{"other count", append(four[:3:3], rename(shards(t, p, 3, "v1")[2], "o")), ErrMismatch,
			nil, []string{"different shard counts", "3 in o/partial-2-of-3.json"}},
	} {
		_, err := Combine(c.in)
		var r *Refusal
		if !errors.As(err, &r) || !errors.Is(err, c.reason) {
			t.Errorf("%s: error %v, want a refusal for %v", c.name, err, c.reason)
			continue
		}
		if c.files != nil && fmt.Sprint(r.Files) != fmt.Sprint(c.files) {
			t.Errorf("%s: files %v, want %v", c.name, r.Files, c.files)
		}
		for _, m := range c.msg {
			if !strings.Contains(r.Msg, m) {
				t.Errorf("%s: message %q lacks %q", c.name, r.Msg, m)
			}
		}
	}
}

// A well-formed file whose units are not its shard's is refused.
func TestSetUnitsChecksAssignment(t *testing.T) {
	t.Parallel()
	p := loadSmall(t)
	in := shards(t, p, 2, "v1")
	q, _ := Unmarshal(in[1].Data)
	q.Units = q.Units[1:]
	data, _ := Marshal(q)
	set, err := Combine([]Input{in[0], {in[1].Name, data}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := set.Units(p); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "d/partial-1-of-2.json") {
		t.Errorf("error %v", err)
	}
}
