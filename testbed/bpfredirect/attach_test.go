//go:build linux

package bpfredirect

import "testing"

func TestParseRoute(t *testing.T) {
	t.Parallel()
	r, err := ParseRoute("10.244.1.3,vb,0a:00:00:00:01:03")
	if err != nil || r.Dst.String() != "10.244.1.3" || r.Dev != "vb" || r.MAC.String() != "0a:00:00:00:01:03" {
		t.Fatalf("got %+v, %v", r, err)
	}
	for _, s := range []string{
		"", "10.244.1.3,vb", "10.244.1.3,vb,0a:00:00:00:01:03,x", "fd00::1,vb,0a:00:00:00:01:03",
		"10.244.1.3,,0a:00:00:00:01:03", "10.244.1.3,averyveryverylongname,0a:00:00:00:01:03",
		"10.244.1.3,vb,0a:00:00:00:01", "10.244.1.3,vb,00:00:00:00:fe:80:00:00:00:00:00:00:00:00:00:00:00:00:00:00",
	} {
		if _, err := ParseRoute(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func FuzzParseRoute(f *testing.F) {
	f.Add("10.244.1.3,vb,0a:00:00:00:01:03")
	f.Add("1.2.3.4,,")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRoute(s)
		if err == nil && (!r.Dst.Is4() || len(r.MAC) != 6 || r.Dev == "") {
			t.Fatalf("%q: accepted %+v", s, r)
		}
	})
}
