package catalog

import (
	"bytes"
	"fmt"

	"github.com/cnisim/cnisim/experiments/results"
	"github.com/cnisim/cnisim/experiments/scenario"
)

// Combined returns the experiment's results as one table. One scenario:
// exactly its run's results, as `cnisim run` writes them. Several: every
// point of every run, its parameters led by scenario = the run's name.
func (d *Data) Combined(version string) *results.Results {
	if len(d.Runs) == 1 {
		return d.Runs[0].Results
	}
	r := &results.Results{Version: version, Scenario: d.Exp.Name}
	for i, run := range d.Runs {
		if i == 0 {
			r.Seed, r.Replications = run.Results.Seed, run.Results.Replications
		}
		r.Replications = max(r.Replications, run.Results.Replications)
		for _, p := range run.Results.Points {
			ps := append([]scenario.Param{{Key: "scenario", Value: run.Results.Scenario}}, p.Params...)
			r.Points = append(r.Points, results.Point{Params: ps, Metrics: p.Metrics})
		}
	}
	return r
}

// Files renders everything an experiment writes into its directory:
// results.json, results.csv, results-long.csv, the resolved scenario file(s) (scenario.toml
// for one scenario, scenarios/NAME.toml for several) and every figure as
// PNG and SVG. Names may contain one "/" (scenarios/).
func (d *Data) Files(out *Output, version string) ([]results.File, error) {
	var js, csv, long bytes.Buffer
	res := d.Combined(version)
	if err := res.WriteJSON(&js); err != nil {
		return nil, err
	}
	if err := res.WriteCSV(&csv); err != nil {
		return nil, err
	}
	if err := res.WriteLongCSV(&long); err != nil {
		return nil, err
	}
	fs := []results.File{{Name: "results.json", Data: js.Bytes()}, {Name: "results.csv", Data: csv.Bytes()},
		{Name: results.LongCSVFile, Data: long.Bytes()}}
	for _, run := range d.Runs {
		var t bytes.Buffer
		if err := run.Plan.Base.Resolved(&t); err != nil {
			return nil, err
		}
		name := "scenario.toml"
		if len(d.Runs) > 1 {
			name = "scenarios/" + run.File
		}
		fs = append(fs, results.File{Name: name, Data: t.Bytes()})
	}
	fs = append(fs, out.Extra...)
	for _, f := range out.Figures {
		for _, ext := range []string{"png", "svg"} {
			b, err := f.Fig.Encode(ext)
			if err != nil {
				return nil, fmt.Errorf("figure %s: %w", f.Name, err)
			}
			fs = append(fs, results.File{Name: f.Name + "." + ext, Data: b})
		}
	}
	return fs, nil
}

// WriteDir writes files as the output set dir, whole (results.WriteSet):
// every file is rendered before any is written, and the directory is
// renamed into place with all of them.
func WriteDir(dir string, fs []results.File) error {
	return results.WriteSet(dir, fs)
}
