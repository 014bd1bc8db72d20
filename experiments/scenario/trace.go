package scenario

import (
	"fmt"
	"strconv"
	"strings"
)

// Trace asks for packet captures of one replication (cnisim run --out
// writes them under DIR/pcap; models/tcp Capture says what they hold).
type Trace struct {
	// Pcap records every TCP and UDP socket's packets as tcpdump in its
	// pod would see them, one capture per node.
	Pcap bool `toml:"pcap"`
	// Point is where: "pod" (each socket's packets at its pod's
	// interface) or "nic" (at the nodes' NICs, inside the tunnel's and
	// encryption's outer headers).
	Point string `toml:"point"`
	// Nodes are the captured nodes, a comma list ("0,1"); "" every node.
	Nodes string `toml:"nodes"`
	// Replication is the replication captured (0 the first).
	Replication int `toml:"replication"`
	// MaxMB bounds the captures of a point's replication together, MB
	// (10^6 bytes); packets past it are counted, not recorded.
	MaxMB float64 `toml:"max_mb"`
}

// TracePoints are trace.point's values.
var TracePoints = []string{"pod", "nic"}

// MaxTraceMB bounds trace.max_mb: the captures are held in memory until
// the replication ends.
const MaxTraceMB = 4096

// MinTraceMB is trace.max_mb's least value: a kilobyte.
const MinTraceMB = 0.001

// DefaultTraceMB is trace.max_mb's default: about 750,000 TCP records of
// 84 bytes (16 of record header, 68 of IPv4 and TCP with timestamps).
const DefaultTraceMB = 64

// traceNodesKey takes a node, a list of nodes or their comma list.
const traceNodesKey = "trace.nodes"

// traceNodes normalises trace.nodes' value to its comma list: 3, [0, 3]
// and "0,3" all name nodes.
func traceNodes(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			n, ok := e.(int64)
			if !ok {
				return "", fmt.Errorf("want node numbers, got %s %s in the list", typeName(e), Format(e))
			}
			parts[i] = strconv.FormatInt(n, 10)
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("want a node number, a list of them ([0, 3]) or a comma list (\"0,3\"), got %s %s", typeName(v), Format(v))
}

// ParseTraceNodes parses trace.nodes against a cluster of n nodes: nil for
// "" (every node).
func ParseTraceNodes(s string, n int) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var nodes []int
	seen := map[int]bool{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		k, err := strconv.Atoi(f)
		if err != nil || k < 0 || k >= n {
			return nil, fmt.Errorf("%q is not a node (allowed: 0..%d, comma-separated; empty for every node)", f, n-1)
		}
		if seen[k] {
			return nil, fmt.Errorf("node %d listed twice", k)
		}
		seen[k] = true
		nodes = append(nodes, k)
	}
	return nodes, nil
}

// trace checks the [trace] table.
func (c *check) trace(s *Scenario) {
	t := &s.Trace
	c.oneOf("trace.point", t.Point, TracePoints)
	if _, err := ParseTraceNodes(t.Nodes, max(s.Cluster.Nodes, 1)); err != nil {
		c.fail("trace.nodes", "%v", err)
	}
	c.intRange("trace.replication", int64(t.Replication), 0, 1_000_000-1)
	if t.Pcap && t.Replication >= s.Replications && s.Replications >= 1 {
		c.fail("trace.replication", "names no replication of the %d run (allowed: 0..%d)", s.Replications, s.Replications-1)
	}
	c.floatRange("trace.max_mb", t.MaxMB, MinTraceMB, MaxTraceMB)
}
