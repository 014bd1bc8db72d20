// Package compare pairs each sweep point with a baseline point and
// reports the paired differences of their metrics over replications.
//
// Replication r of every point runs with the same seed (common random
// numbers: the same RSS placements, start jitter, flow arrivals), so the
// difference between two configurations is best estimated replication by
// replication: d_r = x_r(point) - x_r(baseline), its mean with a Student-t
// 95% interval over the pairs. When the two runs of a pair move together
// that interval is much narrower than the one from two independent
// samples, which is also reported (Welch's) so the gain can be seen.
//
// A baseline fixes some swept keys to one of their values; every other
// point is compared with the point that has the same values on the other
// axes and the baseline's on those keys (--baseline cni.mode=host-gw on a
// sweep of cni.mode x fabric.oversubscription compares each mode with
// host-gw at the same oversubscription).
package compare
