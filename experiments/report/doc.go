// Package report renders the reproduction report, REPORT.md: per experiment
// its figures, a table of predictions and, where a source states a number
// or an ordering, the source's value beside the prediction with the
// difference. It formats what it is given; it runs nothing and knows no
// experiment.
package report
