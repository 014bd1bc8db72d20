// Package tomlx is the project's one strict TOML decoder, used by every
// file format cnisim reads: scenarios and their --set values, CNI models,
// pod-launch parameters, calibration profiles and perf maps, and
// `cnisim validate`.
//
//   - Check bounds size and nesting before the TOML library sees the text.
//   - Parse decodes after Check and reports a syntax error as
//     "file:line: TOML syntax: ..." with a line of at least 1 (the library
//     says 0 for some errors on the first line).
//   - Decode adds the strict-key check: every key the text defines is
//     checked by its exact spelling (the library matches struct tags
//     case-insensitively and ignores keys it cannot place), and an
//     unknown key is an error naming file:line.
//   - Lines locates keys for the callers' own validation errors.
package tomlx
