// Package results holds the tables a run produces (one row per sweep point,
// each metric summarised across replications) and writes them as JSON
// (DESIGN section 3), flat CSV and an aligned terminal table. Output is
// deterministic: keys in a fixed order, floats formatted to round-trip.
package results
