package scenario

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzDecodeScenario: any input either loads or returns an error (never a
// panic), and whatever loads survives Resolved unchanged.
func FuzzDecodeScenario(f *testing.F) {
	files, _ := filepath.Glob("../../scenarios/*.toml")
	for _, p := range files {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("[cluster]\nmtu = 9000\n[sweep]\n\"cni.policy_rules\" = [0, 10]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Load("f.toml", data, Options{MaxPoints: 1000})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		for i := range min(p.Len(), 50) {
			p.Point(i)
		}
		text := p.Base.ResolvedString()
		q, err := Load("resolved.toml", []byte(text), Options{MaxPoints: 1000})
		if err != nil {
			t.Fatalf("resolved text does not load: %v\n%s", err, text)
		}
		if !reflect.DeepEqual(p.Base, q.Base) {
			t.Fatalf("round trip changed the scenario:\n%+v\n%+v", p.Base, q.Base)
		}
	})
}

// FuzzParseSet: any --set either parses or errors; a parsed one applies
// to the defaults with at most a range error, and survives Resolved.
func FuzzParseSet(f *testing.F) {
	for _, s := range []string{"cluster.mtu=9000", "cni.mode=host-gw", "duration=2s", "cni.policy=true",
		"calibration.cycles.vxlan=900", "workload.arrival=10/s", "cluster.cpu_ghz=2.4", "name=\"a b\"", "x", "=1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, err := ParseSet(s)
		if err != nil {
			return
		}
		p, err := Load("f.toml", nil, Options{Overrides: []Override{o}})
		if err != nil {
			return // a range error, reported against the flag
		}
		q, err := Load("resolved.toml", []byte(p.Base.ResolvedString()), Options{})
		if err != nil || !reflect.DeepEqual(p.Base, q.Base) {
			t.Fatalf("--set %q does not survive Resolved: %v", s, err)
		}
	})
}
