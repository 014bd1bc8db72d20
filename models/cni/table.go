package cni

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cnisim/cnisim/models/datapath"
)

// TableRow is a plugin's row of the paper's Table I, derived from its
// model: network models and tunnels from the modes, policy from whether any
// mode has one, features as declared.
type TableRow struct {
	Plugin       string
	DefaultMode  string
	Modes        []string
	NetworkModel string // "Hybrid+Underlay/Overlay"
	Tunnels      string // "VXLAN/UDP"
	Policy       string // "Yes" or "No"
	Features     string // "IPv6, Encryption"
}

// Row returns the model's Table I row.
func (m *Model) Row() TableRow {
	r := TableRow{Plugin: m.Name, DefaultMode: m.DefaultMode, Modes: m.ModeNames(), Policy: "No"}
	// Group network models by layer in first-seen order; Table I writes
	// the underlay before the overlay ("Hybrid+Underlay/Overlay").
	var layers []string
	under, over := map[string]bool{}, map[string]bool{}
	var tunnels []string
	seenT := map[datapath.Encap]bool{}
	for _, md := range m.Modes {
		if md.Policy != PolicyNone {
			r.Policy = "Yes"
		}
		if md.Encap != datapath.EncapNone && !seenT[md.Encap] {
			seenT[md.Encap] = true
			tunnels = append(tunnels, md.Encap.Title())
		}
		layer, kind, ok := strings.Cut(string(md.NetworkModel), "+")
		if !ok {
			continue
		}
		if !under[layer] && !over[layer] {
			layers = append(layers, layer)
		}
		if kind == "Underlay" {
			under[layer] = true
		} else {
			over[layer] = true
		}
	}
	var nm []string
	for _, l := range layers {
		var k []string
		if under[l] {
			k = append(k, "Underlay")
		}
		if over[l] {
			k = append(k, "Overlay")
		}
		nm = append(nm, l+"+"+strings.Join(k, "/"))
	}
	r.NetworkModel = dash(strings.Join(nm, ", "))
	r.Tunnels = dash(strings.Join(tunnels, "/"))
	r.Features = dash(strings.Join(m.Features, ", "))
	return r
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Table returns the Table I rows of the built-in plugins, in the paper's
// order.
func Table() ([]TableRow, error) {
	rows := make([]TableRow, 0, len(builtinOrder))
	for _, n := range builtinOrder {
		m, err := Builtin(n)
		if err != nil {
			return nil, err
		}
		rows = append(rows, m.Row())
	}
	return rows, nil
}

// FormatTable writes rows as an aligned text table (cnisim list plugins).
func FormatTable(w io.Writer, rows []TableRow) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PLUGIN\tMODES (DEFAULT FIRST)\tNETWORK MODEL\tTUNNELS\tPOLICY\tFEATURES")
	for _, r := range rows {
		modes := []string{r.DefaultMode}
		for _, m := range r.Modes {
			if m != r.DefaultMode {
				modes = append(modes, m)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Plugin, strings.Join(modes, ", "), r.NetworkModel, r.Tunnels, r.Policy, r.Features)
	}
	return tw.Flush()
}
