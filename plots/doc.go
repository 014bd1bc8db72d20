// Package plots draws the simulator's figures from result tables with gonum/plot.
//
// Each figure kind has a small input type independent of the experiments package
// (Bars, Stacked, Lines, TimeSeries, CDF). Its Figure method copies and validates
// the input and returns a *Figure, or an error naming the figure, the series and
// the problem. Save writes a Figure as PNG, SVG or PDF, each file whole or not at
// all. The package holds no simulation logic.
package plots
