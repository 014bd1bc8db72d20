package testbed

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Prefix names every namespace the testbed creates; Cleanup removes
// exactly the namespaces that carry it. $CNISIM_TESTBED_PREFIX replaces
// it (tests running in parallel packages use their own).
var Prefix = prefixFromEnv(os.Getenv("CNISIM_TESTBED_PREFIX"))

var prefixRE = regexp.MustCompile(`^[a-z][a-z0-9]{1,8}-$`)

// prefixFromEnv returns v when it is a valid prefix (a lower-case word of
// 2-9 characters and a dash), else the default "cnitb-".
func prefixFromEnv(v string) string {
	if prefixRE.MatchString(v) {
		return v
	}
	return "cnitb-"
}

// Owned says whether a namespace name is one of ours.
func Owned(name string) bool { return strings.HasPrefix(name, Prefix) && len(name) > len(Prefix) }

// nsName is the namespace of role (h: the host, a: the client pod, b: the
// server pod) for a configuration.
func nsName(role string) string { return Prefix + role }

// ErrNotRoot: building namespaces needs CAP_SYS_ADMIN and CAP_NET_ADMIN.
var ErrNotRoot = errors.New("testbed needs root (network namespaces, perf -C): run it with sudo")

// MissingError is a tool or kernel module a topology needs and the machine
// lacks; the topology is skipped and the others run.
type MissingError struct {
	What string // the binary, kernel feature or module
	Hint string // how to get it
}

func (e *MissingError) Error() string {
	if e.Hint == "" {
		return "missing " + e.What
	}
	return fmt.Sprintf("missing %s (%s)", e.What, e.Hint)
}
