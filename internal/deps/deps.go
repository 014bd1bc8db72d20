// Package deps pins modules that the project uses only in some packages or
// tests, so that `go mod tidy` keeps them while those packages are written.
package deps

import (
	_ "github.com/BurntSushi/toml"
	_ "github.com/spf13/pflag"
	_ "gonum.org/v1/gonum/mat"
	_ "gonum.org/v1/gonum/optimize"
	_ "gonum.org/v1/gonum/stat/distuv"
	_ "gonum.org/v1/plot/plotter"
	_ "gonum.org/v1/plot/vg/vgimg"
	_ "gonum.org/v1/plot/vg/vgsvg"
)
