package workload

import (
	"math/rand/v2"
	"strings"

	"github.com/cnisim/cnisim/internal/field"
	"github.com/cnisim/cnisim/models/datapath"
	"github.com/cnisim/cnisim/models/network"
)

// Traffic patterns of workload.pattern: who sends to whom among the
// cluster's nodes.
const (
	// PatternPairs is the two-pod workload of every earlier release: the
	// client pod on node 0, the server on node 1 (node 0 for intra-host).
	PatternPairs = "pairs"
	// PatternPermutation: each node sends to one other node, the targets
	// a uniformly random derangement (no node to itself) drawn from the
	// replication's seed.
	PatternPermutation = "permutation"
	// PatternAllToAll: every node sends to every other node.
	PatternAllToAll = "all-to-all"
	// PatternIncast: N sender nodes (1..N) send to one receiver, node 0.
	PatternIncast = "incast"
	// PatternRandom: each flow picks its destination node uniformly among
	// the other nodes, with the replication's seed.
	PatternRandom = "random"
	// PatternNone: no background flows, only the queries of
	// workload.query_rate (query.go).
	PatternNone = "none"
)

// Patterns lists the allowed values of workload.pattern.
func Patterns() []string {
	return []string{PatternPairs, PatternPermutation, PatternAllToAll, PatternIncast, PatternRandom, PatternMatrix, PatternNone}
}

// MaxPodsPerNode bounds workload.pods_per_node (assumed: Kubernetes'
// default limit is 110 pods per node and large clusters raise it to a
// few hundred; 1000 is beyond any).
const MaxPodsPerNode = 1000

// flowSpec places one long-lived flow: client pod (node, core) and server
// pod (node, core).
type flowSpec struct {
	src, dst         int32
	srcCore, dstCore int32
}

// derangement returns a uniformly random permutation of 0..n-1 without a
// fixed point (n >= 2): Fisher-Yates shuffles until one has none, about e
// (2.718) shuffles on average, whatever n.
func derangement(n int, rng *rand.Rand) []int {
	p := make([]int, n)
	for {
		for i := range p {
			p[i] = i
		}
		for i := n - 1; i > 0; i-- {
			j := rng.IntN(i + 1)
			p[i], p[j] = p[j], p[i]
		}
		ok := true
		for i, v := range p {
			if v == i {
				ok = false
				break
			}
		}
		if ok {
			return p
		}
	}
}

// otherNode draws a node uniformly among the n nodes other than src.
func otherNode(src, n int, rng *rand.Rand) int {
	d := rng.IntN(n - 1)
	if d >= src {
		d++
	}
	return d
}

// randomPeer draws the destination of a random-pattern flow from src
// among n nodes on leaves of perLeaf: with probability local one of the
// other nodes under src's leaf, otherwise one under another leaf, each
// uniformly; local < 0: any other node uniformly (otherNode, the same
// draws as before the key existed). Validation ensures a leaf has
// another node when local > 0 and there is another leaf when local < 1.
func randomPeer(src, n, perLeaf int, local float64, rng *rand.Rand) int {
	if local < 0 {
		return otherNode(src, n, rng)
	}
	first := src / perLeaf * perLeaf // src's leaf's first node
	if rng.Float64() < local {
		return first + otherNode(src-first, perLeaf, rng)
	}
	d := rng.IntN(n - perLeaf)
	if d >= first {
		d += perLeaf
	}
	return d
}

// senders returns the nodes that send under the pattern: node 0 for pairs,
// nodes 1..N for incast (N = incast senders, 0 for all other nodes),
// every node otherwise.
func senders(pattern string, nodes, incast int) []int {
	var s []int
	switch pattern {
	case PatternPairs:
		return []int{0}
	case PatternIncast:
		if incast == 0 {
			incast = nodes - 1
		}
		for i := 1; i <= incast; i++ {
			s = append(s, i)
		}
		return s
	}
	for i := range nodes {
		s = append(s, i)
	}
	return s
}

// nodePairs returns the (source, destination) node pairs of a pattern for
// long-lived flows, in a deterministic order: n for a permutation (perm
// drawn by the caller), n(n-1) for all-to-all, N for incast, n for random
// (one destination drawn per source: each flow draws its own in
// longLivedFlows).
func nodePairs(pattern string, nodes, incast int, perm []int) [][2]int {
	var ps [][2]int
	switch pattern {
	case PatternPermutation:
		for s, d := range perm {
			ps = append(ps, [2]int{s, d})
		}
	case PatternAllToAll:
		for s := range nodes {
			for d := range nodes {
				if d != s {
					ps = append(ps, [2]int{s, d})
				}
			}
		}
	case PatternIncast:
		for _, s := range senders(pattern, nodes, incast) {
			ps = append(ps, [2]int{s, 0})
		}
	}
	return ps
}

// longLivedFlows places the long-lived flows of a cluster pattern: for each
// node pair of the pattern, each pod index j in [0, pods) and each of
// streams streams, a flow from pod j on the source to pod j on the
// destination. A node's k-th flow (k = j*streams + stream) runs its
// application on core k mod cores on both sides, as the pairs workload
// spreads its streams. Random draws each flow's destination with peer.
func longLivedFlows(pattern string, nodes, cores, pods, streams, incast int, rng *rand.Rand, peer func(src int) int) []flowSpec {
	var fs []flowSpec
	add := func(s, d, k int) {
		fs = append(fs, flowSpec{src: int32(s), dst: int32(d), srcCore: int32(k % cores), dstCore: int32(k % cores)})
	}
	if pattern == PatternRandom {
		for s := range nodes {
			for k := range pods * streams {
				add(s, peer(s), k)
			}
		}
		return fs
	}
	var perm []int
	if pattern == PatternPermutation {
		perm = derangement(nodes, rng)
	}
	for _, p := range nodePairs(pattern, nodes, incast, perm) {
		for k := range pods * streams {
			add(p[0], p[1], k)
		}
	}
	return fs
}

// LongLivedFlowCount is the number of long-lived flows a pattern places
// (what the cost estimate and the validation bound): pairs its streams;
// permutation and random nodes x pods x streams; all-to-all
// nodes(nodes-1) x pods x streams; incast N x pods x streams.
func LongLivedFlowCount(pattern string, nodes, pods, streams, incast int) float64 {
	per := float64(pods) * float64(streams)
	switch pattern {
	case PatternNone:
		return 0
	case PatternPairs:
		return float64(streams)
	case PatternAllToAll:
		return float64(nodes) * float64(nodes-1) * per
	case PatternIncast:
		if incast == 0 {
			incast = nodes - 1
		}
		return float64(incast) * per
	}
	return float64(nodes) * per
}

// validatePattern checks the cluster-traffic keys against the workload.
func (c *Config) validatePattern() error {
	if err := c.validateQueries(); err != nil {
		return err
	}
	w := c.Workload
	switch w.Pattern {
	case PatternPairs, PatternPermutation, PatternAllToAll, PatternIncast, PatternRandom:
	case PatternMatrix:
		switch {
		case w.FlowSizes == nil:
			return field.Errorf("workload.Workload.Pattern", w.Pattern, "matrix offers rates of finite flows: it needs flow sizes")
		case w.Matrix == nil:
			return field.Errorf("workload.Workload.Matrix", "", "the matrix pattern needs a traffic matrix file")
		case !(w.MatrixScale >= 0 && w.MatrixScale <= MaxMatrixScale):
			return field.Errorf("workload.Workload.MatrixScale", w.MatrixScale, "must be in [0, %d] (0: 1)", MaxMatrixScale)
		}
		if err := w.Matrix.check(c.Cluster.Nodes); err != nil {
			return field.Errorf("workload.Workload.Matrix", w.Matrix.Name, "%v", err)
		}
		if !(w.Matrix.MeanGbps(c.Duration) > 0) {
			return field.Errorf("workload.Workload.Matrix", w.Matrix.Name, "offers nothing within the run (duration %v): every line with a rate starts at or after its end", c.Duration.Duration())
		}
	case PatternNone:
		if !w.queries() || w.FlowSizes != nil {
			return field.Errorf("workload.Workload.Pattern", w.Pattern, "none runs only queries: it needs a query rate and no flow sizes")
		}
	default:
		return field.Errorf("workload.Workload.Pattern", w.Pattern, "allowed %s", strings.Join(Patterns(), ", "))
	}
	if w.PodsPerNode < 1 || w.PodsPerNode > MaxPodsPerNode {
		return field.Errorf("workload.Workload.PodsPerNode", w.PodsPerNode, "must be in [1, %d]", MaxPodsPerNode)
	}
	if w.Pattern != PatternPairs || w.FlowSizes != nil {
		if w.Kind != TCPStream {
			return field.Errorf("workload.Workload.Pattern", w.Pattern, "cluster traffic (a pattern or flow sizes) runs the tcp_stream kind (got %s)", w.Kind)
		}
		if w.Launch != nil {
			return field.Errorf("workload.Workload.Pattern", w.Pattern, "cluster traffic (a pattern or flow sizes) does not run with a launched client pod")
		}
	}
	if w.Pattern != PatternPairs {
		if c.Placement != datapath.Inter {
			return field.Errorf("workload.Workload.Pattern", w.Pattern, "needs the inter-host placement")
		}
		if c.Cluster.Nodes < 2 {
			return field.Errorf("workload.Workload.Pattern", w.Pattern, "needs at least 2 nodes (the cluster has %d)", c.Cluster.Nodes)
		}
	}
	if w.IncastSenders < 0 || w.IncastSenders > c.Cluster.Nodes-1 {
		return field.Errorf("workload.Workload.IncastSenders", w.IncastSenders, "must be in [0, the nodes - 1 = %d] (0: all other nodes)", c.Cluster.Nodes-1)
	}
	if f := w.RackLocal; f != nil {
		fab := c.Cluster.Fabric
		switch {
		case !(*f >= 0 && *f <= 1):
			return field.Errorf("workload.Workload.RackLocal", *f, "must be in [0, 1] (a fraction of the flows)")
		case w.Pattern != PatternRandom:
			return field.Errorf("workload.Workload.RackLocal", *f, "applies to the random pattern (the pattern is %s)", w.Pattern)
		case fab.Kind != network.FabricLeafSpine:
			return field.Errorf("workload.Workload.RackLocal", *f, "needs a leaf-spine fabric: its leaves are the racks")
		case *f > 0 && fab.NodesPerLeaf < 2:
			return field.Errorf("workload.Workload.RackLocal", *f, "needs at least 2 nodes per leaf for rack-local flows (the fabric has %d)", fab.NodesPerLeaf)
		case *f < 1 && fab.Leaves < 2:
			return field.Errorf("workload.Workload.RackLocal", *f, "needs at least 2 leaves for flows that leave the rack (the fabric has %d)", fab.Leaves)
		}
	}
	if w.FlowSizes != nil && !(w.Load > 0 && w.Load <= 1) {
		return field.Errorf("workload.Workload.Load", w.Load, "must be in (0, 1] (a fraction of each sending node's link rate)")
	}
	if u := w.MeasureUntil; u != 0 && (u <= c.Warmup || u > c.Duration) {
		return field.Errorf("workload.Workload.MeasureUntil", u.Duration(), "must be 0 (the run's end) or in (the warm-up %v, the duration %v]", c.Warmup.Duration(), c.Duration.Duration())
	}
	return nil
}

// MaxQueryRate bounds workload.query_rate (assumed: ten million queries a
// second, each several connections, is past any cluster a run can hold).
const MaxQueryRate = 1e7

// validateQueries checks the partition-aggregate query keys (query.go).
func (c *Config) validateQueries() error {
	w := c.Workload
	if !(w.QueryRate >= 0 && w.QueryRate <= MaxQueryRate) {
		return field.Errorf("workload.Workload.QueryRate", w.QueryRate, "must be in [0, %g] queries per second (0: no queries)", MaxQueryRate)
	}
	if !w.queries() {
		return nil
	}
	switch {
	case w.Kind != TCPStream:
		return field.Errorf("workload.Workload.QueryRate", w.QueryRate, "queries run with the tcp_stream kind (got %s)", w.Kind)
	case w.Launch != nil:
		return field.Errorf("workload.Workload.QueryRate", w.QueryRate, "queries do not run with a launched client pod")
	case c.Placement != datapath.Inter:
		return field.Errorf("workload.Workload.QueryRate", w.QueryRate, "queries need the inter-host placement")
	case c.Cluster.Nodes < 2:
		return field.Errorf("workload.Workload.QueryRate", w.QueryRate, "queries need at least 2 nodes (the cluster has %d)", c.Cluster.Nodes)
	case w.QueryFanIn < 0 || w.QueryFanIn > c.Cluster.Nodes-1:
		return field.Errorf("workload.Workload.QueryFanIn", w.QueryFanIn, "must be in [0, the nodes - 1 = %d] (0: all other nodes)", c.Cluster.Nodes-1)
	case w.QueryBytes < 1 || w.QueryBytes > MaxQueryBytes:
		return field.Errorf("workload.Workload.QueryBytes", w.QueryBytes, "must be in [1, %d] bytes per response", int64(MaxQueryBytes))
	case w.QueryFrom < 0:
		return field.Errorf("workload.Workload.QueryFrom", w.QueryFrom.Duration(), "must be >= 0")
	case w.QueryUntil != 0 && w.QueryUntil <= w.QueryFrom:
		return field.Errorf("workload.Workload.QueryUntil", w.QueryUntil.Duration(), "must be 0 (the run's end) or later than QueryFrom (%v)", w.QueryFrom.Duration())
	}
	return nil
}

// MaxQueryBytes bounds a query response (assumed: 1 GB, past any
// partition-aggregate answer).
const MaxQueryBytes = 1e9
