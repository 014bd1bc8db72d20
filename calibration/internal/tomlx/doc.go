// Package tomlx decodes TOML strictly: unknown or misspelt keys are errors,
// syntax errors carry their position, and errors name the file, the line of
// the offending key where it can be found, and the allowed keys.
package tomlx
