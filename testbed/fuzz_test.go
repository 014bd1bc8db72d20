package testbed

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// FuzzParseConfig: any name is parsed or refused with an error, never a
// panic; a parsed one keeps its name, and its parts are what the name
// says (a -2cpu suffix, an offload suffix, a known family).
func FuzzParseConfig(f *testing.F) {
	for _, s := range append(AllConfigs, "esp-600", "ipt-legacy-100-nogro-2cpu", "routed-2cpu-nogso", "nft-", "-2cpu", "ipt-nft-020000") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		c, err := ParseConfig(name)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q: empty error", name)
			}
			return
		}
		if c.Name != name || c.Family == "" || c.Engine == "" {
			t.Fatalf("%q: %+v", name, c)
		}
		if (c.CPUs == 2) != strings.HasSuffix(name, "-2cpu") || (c.Offload != "" && !strings.Contains(name, "-"+c.Offload)) {
			t.Fatalf("%q: cpus %d, offload %q", name, c.CPUs, c.Offload)
		}
		if c.Rules < 0 || c.Rules > maxRules {
			t.Fatalf("%q: %d rules", name, c.Rules)
		}
	})
}

// FuzzParse: a measurements.json is read or refused with an error naming
// the file, never a panic; what is read checks clean again after a
// round trip through JSON.
func FuzzParse(f *testing.F) {
	for _, file := range []string{"testdata/run2/measurements.json"} { // run9's (87 KB) slows the fuzzer to a few executions a second
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"configs":[{"config":{"name":"routed"},"data_packets":1,"busy_cycles":1}]}`))
	f.Add([]byte(`{"configs":[{"config":{"name":"routed-2cpu"},"cpus":[0,1]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse("m.json", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "m.json: ") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		again, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse("again.json", again); err != nil {
			t.Fatalf("a parsed run does not parse again: %v", err)
		}
	})
}
