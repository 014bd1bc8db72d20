package shard

import (
	"fmt"
	"strconv"
	"strings"
)

// Spec names one shard: Index of Count, Index in 0..Count-1.
type Spec struct {
	Index, Count int
}

func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// FileName is the partial-result file a shard writes: partial-I-of-N.json.
func (s Spec) FileName() string { return fmt.Sprintf("partial-%d-of-%d.json", s.Index, s.Count) }

// Glob matches the partial-result files of any shard count.
const Glob = "partial-*-of-*.json"

// ParseSpec parses "I/N" with 0 <= I < N.
func ParseSpec(text string) (Spec, error) {
	a, b, ok := strings.Cut(text, "/")
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil {
		return Spec{}, fmt.Errorf("shard %q: want INDEX/COUNT, such as 0/4", text)
	}
	return check(Spec{i, n}, "shard "+text)
}

func check(s Spec, what string) (Spec, error) {
	if s.Count < 1 {
		return Spec{}, fmt.Errorf("%s: the shard count must be at least 1", what)
	}
	if s.Index < 0 || s.Index >= s.Count {
		return Spec{}, fmt.Errorf("%s: the index must be in 0..%d (shards are numbered from 0, like Slurm's --array=0-%d and JOB_COMPLETION_INDEX)",
			what, s.Count-1, s.Count-1)
	}
	return s, nil
}

// FromEnv finds the shard of an array task in the environment: Slurm's
// SLURM_ARRAY_TASK_ID (less SLURM_ARRAY_TASK_MIN, so --array=1-N works
// too) of SLURM_ARRAY_TASK_COUNT, or Kubernetes' JOB_COMPLETION_INDEX of
// shards (the --shards flag; 0 if not given). With shards > 0 and a Slurm
// array, the two counts must agree. It returns ok false when the
// environment names no array task and shards is 0; source describes where
// the index came from.
func FromEnv(getenv func(string) string, shards int) (s Spec, source string, ok bool, err error) {
	envInt := func(name string) (int, bool, error) {
		v := getenv(name)
		if v == "" {
			return 0, false, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, true, fmt.Errorf("%s=%q: not an integer", name, v)
		}
		return n, true, nil
	}
	if id, set, err := envInt("SLURM_ARRAY_TASK_ID"); set {
		if err != nil {
			return Spec{}, "", false, err
		}
		count, set, err := envInt("SLURM_ARRAY_TASK_COUNT")
		if err != nil {
			return Spec{}, "", false, err
		}
		if !set {
			return Spec{}, "", false, fmt.Errorf("SLURM_ARRAY_TASK_ID=%d without SLURM_ARRAY_TASK_COUNT (Slurm before 20.02?): pass --shard I/N", id)
		}
		lo, _, err := envInt("SLURM_ARRAY_TASK_MIN")
		if err != nil {
			return Spec{}, "", false, err
		}
		if shards > 0 && shards != count {
			return Spec{}, "", false, fmt.Errorf("--shards %d but the Slurm array has %d tasks (SLURM_ARRAY_TASK_COUNT)", shards, count)
		}
		src := fmt.Sprintf("SLURM_ARRAY_TASK_ID=%d SLURM_ARRAY_TASK_MIN=%d SLURM_ARRAY_TASK_COUNT=%d", id, lo, count)
		s, err := check(Spec{id - lo, count}, src)
		return s, src, err == nil, err
	}
	if idx, set, err := envInt("JOB_COMPLETION_INDEX"); set {
		if err != nil {
			return Spec{}, "", false, err
		}
		if shards < 1 {
			return Spec{}, "", false, fmt.Errorf("JOB_COMPLETION_INDEX=%d needs the shard count: pass --shards N (the Job's completions)", idx)
		}
		src := fmt.Sprintf("JOB_COMPLETION_INDEX=%d --shards %d", idx, shards)
		s, err := check(Spec{idx, shards}, src)
		return s, src, err == nil, err
	}
	if shards > 0 {
		return Spec{}, "", false, fmt.Errorf("--shards %d needs an index: --shard I/%d, or SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX in the environment", shards, shards)
	}
	return Spec{}, "", false, nil
}
