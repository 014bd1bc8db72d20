// Package sensitivity measures how much a run's answers depend on each
// calibrated stage cost: the scenario is run as it is and with one
// stage's costs scaled by 1-r and 1+r (calibration.scale.<stage>), the
// three runs sharing their seeds replication by replication (common
// random numbers), and each metric's elasticity is the central
// difference
//
//	e_r = (x_r(1+r) - x_r(1-r)) / (2 r x_r(1))
//
// per replication, reported as its mean with a Student-t 95% interval:
// the percent change of the metric per percent change of the cost. A
// cost known to within ±u moves the metric by about e x u; an elasticity
// near zero says the answer does not hinge on that cost.
package sensitivity
