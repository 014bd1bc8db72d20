// Package experimentstest provides deterministic stand-ins for the
// simulator, for testing runners, result tables and the CLI without the
// models.
package experimentstest
