package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/cnisim/cnisim/calibration/fit"
	"github.com/cnisim/cnisim/models/datapath"
)

// defaultFitGHz is the paper's testbed frequency (E5-2640v4 at 2.4 GHz,
// paper III.A), the default for measurements that do not say.
const defaultFitGHz = 2.4

func runCalibrateFit(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("calibrate fit", calibrateFitSynopsis, stderr)
	var file, stages, format, out string
	var ghz float64
	fs.StringVar(&file, "measurements", "", "measurements `FILE.csv` with columns plugin,mode,placement,mtu,throughput_mbps,cpp_total[,acks_per_packet][,bytes_per_packet][,encrypt][,cpp_<stage>...] (required)")
	fs.Float64Var(&ghz, "cpu-ghz", defaultFitGHz, "frequency the measurements were taken at, in GHz")
	fs.StringVar(&stages, "stages", "", "fit only these stage kinds, as `LIST` like veth,vxlan (others crossed count 0 cycles)")
	fs.StringVar(&format, "format", "table", "stdout format: table or json")
	fs.StringVar(&out, "out", "", "write the fitted profile to `FILE.toml` (whole or not at all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := wantArgs(fs, 0, 0, "no arguments"); err != nil {
		return err
	}
	if file == "" {
		return usagef("missing --measurements FILE.csv")
	}
	if !(ghz > 0) || math.IsInf(ghz, 0) {
		return usagef("--cpu-ghz must be a finite number > 0, got %v", ghz)
	}
	var opt fit.Options
	if stages != "" {
		ks, err := parseStageList(stages)
		if err != nil {
			return err
		}
		opt.Stages = ks
	}
	if err := checkFormat(format); err != nil {
		return err
	}
	if err := checkOutFile(out); err != nil {
		return err
	}
	m, err := fit.LoadMeasurements(file)
	if err != nil {
		return usagef("--measurements %v", err)
	}
	cfgs, err := fit.ConfigsFor(m.Rows, fit.ModelConfigs())
	if err != nil {
		return usagef("--measurements %s: %v", file, err)
	}
	res, err := fit.Fit(m.Rows, cfgs, opt)
	var ue *fit.UnderdeterminedError
	if errors.As(err, &ue) {
		return usagef("--measurements %s: %v", file, err)
	}
	if err != nil {
		return err
	}
	if format == "json" {
		for _, w := range res.Warnings {
			fmt.Fprintf(stderr, "warning: %s\n", w)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else if err := writeFitTable(stdout, m, res); err != nil {
		return err
	}
	if out == "" {
		return nil
	}
	p, err := res.Profile(profileName(out), ghz, m.Source())
	if err != nil {
		return err
	}
	if err := p.Save(out); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "wrote %s: profile %q, %d derived entries at %g GHz\n", out, p.Name, len(p.Costs), p.GHz)
	return nil
}

func parseStageList(s string) ([]datapath.Kind, error) {
	var ks []datapath.Kind
	for _, name := range strings.Split(s, ",") {
		k, err := datapath.ParseKind(strings.TrimSpace(name))
		if err != nil {
			return nil, usagef("--stages: %v", err)
		}
		for _, have := range ks {
			if have == k {
				return nil, usagef("--stages: %s listed twice", k)
			}
		}
		ks = append(ks, k)
	}
	slices.Sort(ks) // canonical kind order, as the fit reports them
	return ks, nil
}

// writeFitTable prints the fitted costs with their standard errors, then
// every row's residual (and its per-stage residuals) and the warnings.
func writeFitTable(w io.Writer, m *fit.Measurements, res *fit.Result) error {
	fmt.Fprintf(w, "measurements %s\n", m.Source())
	fmt.Fprintf(w, "model per row: sum over stages of cycles x (data + acks_per_packet x ACK crossings) + cycles/byte x bytes;\n"+
		"crossings: cni model on the measured node (receiver inter-host, the node intra-host)\n")
	fmt.Fprintf(w, "%d equations, %d degrees of freedom, RSS %.6g, sigma %.4g CPP\n\n", res.Equations, res.DOF, res.RSS, res.Sigma)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tcycles/crossing\t± s.e.\tcycles/byte\t± s.e.\t\t")
	for _, c := range res.Costs {
		note := ""
		if c.AtBound {
			note = "at bound 0"
		}
		perByte := "\t"
		if b := c.PerByte; b != nil {
			perByte = fmt.Sprintf("%.4g\t± %.2g", b.Cycles, b.StdErr)
			if b.AtBound {
				note = strings.TrimPrefix(note+", per byte at bound 0", ", ")
			}
		}
		fmt.Fprintf(tw, "%s\t%.1f\t± %.1f\t%s\t%s\t\n", c.Stage, c.Cycles, c.StdErr, perByte, note)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "line\tconfig\tacks/pkt\tbytes/pkt\tmeasured\tfitted\tresidual\t")
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%d\t%s\t%.3g\t%.0f\t%.1f\t%.1f\t%+.1f\t\n", r.Line, r.Config, r.AcksPerPacket, r.BytesPerPacket, r.Measured, r.Fitted, r.Residual)
		for _, k := range datapath.Kinds() { // canonical order, not map order
			if d, ok := r.StageResiduals[k.String()]; ok {
				fmt.Fprintf(tw, "\t  cpp_%s\t\t\t\t\t%+.1f\t\n", k, d)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, warn := range res.Warnings {
		if _, err := fmt.Fprintf(w, "warning: %s\n", warn); err != nil {
			return err
		}
	}
	return nil
}
