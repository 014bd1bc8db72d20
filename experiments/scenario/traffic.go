package scenario

import (
	"path/filepath"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/models/workload"
)

// Bounds of the cluster-traffic keys.
const (
	// MinLoad and MaxLoad bound workload.load: a fraction of each sending
	// node's link rate (assumed: below 0.0001 hardly a flow arrives; above
	// 1 the flows in progress grow without bound, and memory with them).
	MinLoad = 0.0001
	MaxLoad = 1

	// MaxLongLivedFlows bounds the long-lived flows a pattern places
	// (assumed: at about 15.5 KB a connection, experiments/cost.go, a
	// million take 15.5 GB; the cost check refuses what the machine
	// cannot hold below that).
	MaxLongLivedFlows = 1_000_000
)

// traffic checks the cluster-traffic keys of [workload].
func (c *check) traffic(s *Scenario) {
	w, cl := &s.Workload, &s.Cluster
	c.oneOf("workload.pattern", w.Pattern, workload.Patterns())
	c.intRange("workload.pods_per_node", int64(w.PodsPerNode), 1, workload.MaxPodsPerNode)
	c.intRange("workload.incast_senders", int64(w.IncastSenders), 0, 10_000)
	if w.IncastSenders > cl.Nodes-1 && cl.Nodes >= 1 && w.IncastSenders <= 10_000 {
		c.fail("workload.incast_senders", "must be at most cluster.nodes - 1 = %d (0: all other nodes)", cl.Nodes-1)
	}
	c.floatRange("workload.load", w.Load, MinLoad, MaxLoad)
	c.durMin("workload.measure_until", w.MeasureUntil, 0)
	if u := w.MeasureUntil; u > 0 && (u <= s.Warmup || u > s.Duration) {
		c.fail("workload.measure_until", "must be 0 (the run's end) or after warmup (%s) and at most duration (%s)", FormatDuration(s.Warmup), FormatDuration(s.Duration))
	}
	c.rackLocal(s)
	c.matrix(s)
	c.queries(s)
	if !slices.Contains(workload.Patterns(), w.Pattern) {
		return
	}
	// one error for the combination (the first that applies): the key
	// that asks for cluster traffic is the one named
	key, what := "workload.pattern", w.Pattern
	if w.Pattern == workload.PatternPairs {
		key, what = "workload.flow_sizes", "a finite-flow workload"
	}
	if w.Pattern == workload.PatternNone && (!(w.QueryRate > 0) || w.FlowSizes != "") {
		c.fail("workload.pattern", "none runs only the queries: it needs workload.query_rate > 0 and no workload.flow_sizes")
		return
	}
	switch {
	case w.Pattern == workload.PatternPairs && w.FlowSizes == "":
	case w.Kind != "tcp_stream":
		c.fail(key, "%s needs workload.kind = tcp_stream (it is %s)", what, w.Kind)
		return
	case w.Pattern == workload.PatternPairs:
	case w.Placement != "inter":
		c.fail(key, "%s needs workload.placement = inter (it is %s)", what, w.Placement)
		return
	case cl.Nodes < 2:
		c.fail(key, "%s needs cluster.nodes >= 2 (it is %d)", what, cl.Nodes)
		return
	}
	if w.FlowSizes != "" {
		return
	}
	if n := workload.LongLivedFlowCount(w.Pattern, cl.Nodes, w.PodsPerNode, w.Streams, w.IncastSenders); n > MaxLongLivedFlows {
		c.fail("workload.pattern", "%s places %.4g long-lived flows (cluster.nodes %d, pods_per_node %d, streams %d), more than the bound %d",
			w.Pattern, n, cl.Nodes, w.PodsPerNode, w.Streams, MaxLongLivedFlows)
	}
}

// rackLocal checks workload.rack_local: -1 (uniform), or a fraction with
// racks to honour it: a leaf-spine fabric, another node under a leaf for
// rack-local flows, another leaf for the rest. A pattern other than
// random ignores it (simulate warns).
func (c *check) rackLocal(s *Scenario) {
	f := s.Workload.RackLocal
	if f == -1 {
		return
	}
	if !(f >= 0 && f <= 1) {
		c.fail("workload.rack_local", "must be -1 (every other node equally likely) or a fraction in [0, 1], got %v", f)
		return
	}
	if s.Workload.Pattern != workload.PatternRandom {
		return
	}
	switch npl := s.nodesPerLeaf(); {
	case s.Fabric.Kind != "leaf-spine":
		c.fail("workload.rack_local", "needs fabric.kind = leaf-spine: its leaves are the racks (the fabric is %q)", s.Fabric.Kind)
	case f > 0 && npl < 2:
		c.fail("workload.rack_local", "%v needs at least 2 nodes per leaf for rack-local flows (fabric.nodes_per_leaf %d)", f, npl)
	case f < 1 && s.Fabric.Leaves < 2:
		c.fail("workload.rack_local", "%v needs at least 2 leaves for flows that leave the rack (fabric.leaves %d)", f, s.Fabric.Leaves)
	}
}

// queries checks the partition-aggregate query keys: bounds always, the
// workload they need when query_rate is set.
func (c *check) queries(s *Scenario) {
	w, cl := &s.Workload, &s.Cluster
	c.floatRange("workload.query_rate", w.QueryRate, 0, workload.MaxQueryRate)
	c.intRange("workload.query_fanin", int64(w.QueryFanIn), 0, 10_000)
	c.intRange("workload.query_bytes", w.QueryBytes, 1, workload.MaxQueryBytes)
	c.durMin("workload.query_from", w.QueryFrom, 0)
	c.durMin("workload.query_until", w.QueryUntil, 0)
	if w.QueryUntil != 0 && w.QueryUntil <= w.QueryFrom {
		c.fail("workload.query_until", "must be 0 (the run's end) or later than query_from = %v", w.QueryFrom)
	}
	if !(w.QueryRate > 0) {
		return
	}
	if w.QueryFanIn > cl.Nodes-1 && cl.Nodes >= 1 && w.QueryFanIn <= 10_000 {
		c.fail("workload.query_fanin", "must be at most cluster.nodes - 1 = %d (0: all other nodes)", cl.Nodes-1)
	}
	if w.Pattern != workload.PatternPairs {
		return // the pattern's own check names what it and the queries need
	}
	switch {
	case w.Kind != "tcp_stream" && w.FlowSizes == "": // else flow_sizes' check names it
		c.fail("workload.query_rate", "queries need workload.kind = tcp_stream (it is %s)", w.Kind)
	case w.Placement != "inter":
		c.fail("workload.query_rate", "queries need workload.placement = inter (it is %s)", w.Placement)
	case cl.Nodes < 2:
		c.fail("workload.query_rate", "queries need cluster.nodes >= 2 (it is %d)", cl.Nodes)
	}
}

// matrix checks the matrix pattern's keys: a file to read, flow sizes
// to give its rates flows, the scale's bounds. The file's lines and
// nodes are checked where it is read (simulate), against the cluster.
func (c *check) matrix(s *Scenario) {
	w := &s.Workload
	if !(w.MatrixScale > 0 && w.MatrixScale <= workload.MaxMatrixScale) {
		c.fail("workload.matrix_scale", "must be in (0, %d] (a multiple of the matrix's rates), got %v", workload.MaxMatrixScale, w.MatrixScale)
	}
	if w.Pattern != workload.PatternMatrix {
		return
	}
	switch {
	case w.Matrix == "":
		c.fail("workload.matrix", "the matrix pattern needs a traffic matrix file (lines of \"src dst gbps\", a node or a range a-b each)")
	case w.FlowSizes == "":
		c.fail("workload.pattern", "matrix offers rates of finite flows: it needs workload.flow_sizes")
	}
}

// relFile resolves a file path against dir; an absolute path and "" are
// kept.
func relFile(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// relFlowSizes resolves a flow_sizes file against dir; a built-in name,
// a constant size, an absolute path and "" (long-lived flows) are kept.
func relFlowSizes(dir, p string) string {
	if slices.Contains(workload.FlowSizeNames(), p) || strings.HasPrefix(p, workload.ConstantPrefix) {
		return p
	}
	return relFile(dir, p)
}
