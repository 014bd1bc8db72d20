// Package fit solves per-stage costs from end-to-end measurements of
// several configurations. Each measured CPP (cycles per data packet on one
// node, its ACKs included) is modelled as the simulator charges it: every
// stage's cost per crossing times its crossings per data packet plus the
// row's ACKs per data packet times its crossings per ACK (the one
// definition, datapath.Path.NodeCrossings), plus, for copy and crypto
// stages whose rows differ in packet size, a cost per byte times the bytes
// they touch. The linear system is reduced row by row (memory linear in
// the rows) and solved by non-negative least squares (Lawson-Hanson) with
// standard errors and residuals. It refuses systems whose measurements do
// not separate every cost, and reads measurements from CSV.
package fit
