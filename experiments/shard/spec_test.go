package shard

import (
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in   string
		want Spec
		err  string
	}{
		{"0/1", Spec{0, 1}, ""},
		{"3/4", Spec{3, 4}, ""},
		{" 2 / 8 ", Spec{2, 8}, ""},
		{"4/4", Spec{}, "0..3"},
		{"-1/4", Spec{}, "0..3"},
		{"0/0", Spec{}, "at least 1"},
		{"1", Spec{}, "INDEX/COUNT"},
		{"a/4", Spec{}, "INDEX/COUNT"},
	} {
		got, err := ParseSpec(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("ParseSpec(%q) error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("ParseSpec(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if f := (Spec{2, 16}).FileName(); f != "partial-2-of-16.json" {
		t.Errorf("FileName %q", f)
	}
}

func TestFromEnv(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	for _, c := range []struct {
		name   string
		getenv func(string) string
		shards int
		want   Spec
		ok     bool
		err    string
	}{
		{"nothing", env(), 0, Spec{}, false, ""},
		{"slurm 0-based", env("SLURM_ARRAY_TASK_ID", "2", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_MIN", "0"), 0, Spec{2, 4}, true, ""},
		{"slurm 1-based array", env("SLURM_ARRAY_TASK_ID", "4", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_MIN", "1"), 0, Spec{3, 4}, true, ""},
		{"slurm agrees with --shards", env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "4"), 4, Spec{1, 4}, true, ""},
		{"slurm disagrees with --shards", env("SLURM_ARRAY_TASK_ID", "1", "SLURM_ARRAY_TASK_COUNT", "4"), 8, Spec{}, false, "--shards 8 but the Slurm array has 4"},
		{"slurm without count", env("SLURM_ARRAY_TASK_ID", "1"), 0, Spec{}, false, "without SLURM_ARRAY_TASK_COUNT"},
		{"slurm stepped array", env("SLURM_ARRAY_TASK_ID", "6", "SLURM_ARRAY_TASK_COUNT", "4", "SLURM_ARRAY_TASK_MIN", "0"), 0, Spec{}, false, "0..3"},
		{"slurm garbage", env("SLURM_ARRAY_TASK_ID", "x", "SLURM_ARRAY_TASK_COUNT", "4"), 0, Spec{}, false, "not an integer"},
		{"k8s", env("JOB_COMPLETION_INDEX", "7"), 8, Spec{7, 8}, true, ""},
		{"k8s without --shards", env("JOB_COMPLETION_INDEX", "7"), 0, Spec{}, false, "needs the shard count"},
		{"k8s out of range", env("JOB_COMPLETION_INDEX", "8"), 8, Spec{}, false, "0..7"},
		{"--shards alone", env(), 4, Spec{}, false, "needs an index"},
	} {
		got, _, ok, err := FromEnv(c.getenv, c.shards)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: error %v, want %q", c.name, err, c.err)
			}
			continue
		}
		if err != nil || ok != c.ok || got != c.want {
			t.Errorf("%s: got %v ok=%v err=%v; want %v ok=%v", c.name, got, ok, err, c.want, c.ok)
		}
	}
}
