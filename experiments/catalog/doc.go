// Package catalog is the registry of named experiments: every figure of
// the CNI paper (003), the vendor analysis' measurements (000) and what-if
// studies. An experiment is a set of scenario files embedded under
// scenarios/, run through the same path as `cnisim run` (scenario.Load,
// run.RunUnits, run.Aggregate), so an experiment's numbers
// and a `cnisim run` of its written scenario file are byte-identical. Each
// experiment turns its results into figures (package plots), tables of
// predictions and comparisons with the sources' stated values and
// orderings (package report). Source values are typed in only as the
// SOURCE column of a comparison, never as predictions.
package catalog
