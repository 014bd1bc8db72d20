package scenario_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cnisim/cnisim/experiments/scenario"
)

// A model-layer hook's *FieldError (wrapped or not) is located at the
// key's line, or at the --set flag that set it, and shows the value; an
// error that names no key is reported as it is, not parsed for one.
func TestHookErrorLocated(t *testing.T) {
	t.Parallel()
	file := "name = \"x\"\n[cluster]\nmtu = 600\n[cni]\nplugin = \"flannel\"\nmode = \"ipip\"\n"
	cases := []struct {
		name string
		hook error
		sets []string
		want string
	}{
		{"key in file", &scenario.FieldError{Key: "cni.mode", Msg: `plugin flannel has no mode "ipip"`}, nil,
			`s.toml:6: cni.mode = "ipip": plugin flannel has no mode "ipip"`},
		{"key from --set", &scenario.FieldError{Key: "cni.mode", Msg: `plugin flannel has no mode "vxlann"`}, []string{"cni.mode=vxlann"},
			`--set cni.mode=vxlann: cni.mode = "vxlann": plugin flannel has no mode`},
		{"wrapped", fmt.Errorf("resolving: %w", &scenario.FieldError{Key: "cluster.mtu", Msg: "leaves a pod MTU of 550"}), nil,
			"s.toml:3: cluster.mtu = 600: leaves a pod MTU of 550"},
		{"table", &scenario.FieldError{Key: "cni", Msg: "stage vxlan has no cost"}, nil, "s.toml:4: cni: stage vxlan has no cost"},
		{"not a key", errors.New("something: went wrong"), nil, "s.toml: something: went wrong"},
		{"text that looks like a key", errors.New("cni.mode: not parsed"), nil, "s.toml: cni.mode: not parsed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var ovs []scenario.Override
			for _, s := range c.sets {
				o, err := scenario.ParseSet(s)
				if err != nil {
					t.Fatal(err)
				}
				ovs = append(ovs, o)
			}
			hook := func(*scenario.Scenario) error { return c.hook }
			_, err := scenario.Load("s.toml", []byte(file), scenario.Options{Overrides: ovs, Validate: hook})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v\nwant it to contain %q", err, c.want)
			}
		})
	}
}

// A panic in the model layer's check is reported against the input, not
// propagated (the CLI would print a stack trace).
func TestHookPanicIsError(t *testing.T) {
	t.Parallel()
	hook := func(*scenario.Scenario) error { panic("index out of range [-1]") }
	_, err := scenario.Load("s.toml", []byte("[cni]\nplugin = \"x.toml\"\n"), scenario.Options{Validate: hook})
	if err == nil || !strings.Contains(err.Error(), "s.toml") || !strings.Contains(err.Error(), "a cnisim bug") {
		t.Errorf("got %v", err)
	}
}

// The TOML parser reports line 0 for a CR-LF inside a string on line 1;
// the error still names line 1.
func TestSyntaxErrorLineNeverZero(t *testing.T) {
	t.Parallel()
	_, err := scenario.Load("s.toml", []byte("\"\r\n"), scenario.Options{})
	if err == nil || !strings.Contains(err.Error(), "s.toml:1: TOML syntax") {
		t.Errorf("got %v", err)
	}
}
