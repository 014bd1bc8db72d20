package scenario

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/cnisim/cnisim/calibration"
	"github.com/cnisim/cnisim/models/cni"
)

// profileKey is the key that names the calibration profile, or a list of
// profiles layered in order (calibration.LoadLayers).
const profileKey = "calibration.profile"

// layerList turns the array form of calibration.profile
// (["paper", "node1.toml"]) into the one-string form the field holds
// ("paper,node1.toml"), which --set and the resolved text use too.
func layerList(arr []any) (string, error) {
	if len(arr) == 0 {
		return "", fmt.Errorf("want a profile name or path, or a non-empty array of them such as [\"paper\", \"node1.toml\"]")
	}
	parts := make([]string, len(arr))
	for i, x := range arr {
		str, ok := x.(string)
		if !ok {
			return "", fmt.Errorf("layer %d: want a string (a built-in profile name or a .toml path), got %s %s", i+1, typeName(x), Format(x))
		}
		if strings.TrimSpace(str) == "" || strings.Contains(str, calibration.LayerSep) {
			return "", fmt.Errorf("layer %d: want a non-empty name or path without %q, got %q", i+1, calibration.LayerSep, str)
		}
		parts[i] = str
	}
	return strings.Join(parts, calibration.LayerSep), nil
}

// relativeTo rewrites the relative file paths among the values of the
// file keys (cni.plugin, each layer of calibration.profile,
// workload.flow_sizes, workload.matrix) to be relative
// to dir, the scenario file's directory, so a scenario runs the same from
// any working directory. Built-in names and absolute paths are kept.
func relativeTo(dir string, s *Scenario) {
	if dir == "" || dir == "." {
		return
	}
	s.CNI.Plugin = relPlugin(dir, s.CNI.Plugin)
	s.Calibration.Profile = relLayers(dir, s.Calibration.Profile)
	for key, rel := range map[string]func(dir, p string) string{"workload.flow_sizes": relFlowSizes, "workload.matrix": relFile} {
		for i, x := range s.Sweep[key] {
			if str, ok := x.(string); ok {
				s.Sweep[key][i] = rel(dir, str)
			}
		}
	}
	s.Workload.FlowSizes = relFlowSizes(dir, s.Workload.FlowSizes)
	s.Workload.Matrix = relFile(dir, s.Workload.Matrix)
	for _, key := range []string{"cni.plugin", profileKey} {
		for i, x := range s.Sweep[key] {
			if arr, ok := x.([]any); ok && key == profileKey { // a layered value: ["paper", "n.toml"]
				for j, y := range arr {
					if str, ok := y.(string); ok {
						arr[j] = relPath(dir, str)
					}
				}
				continue
			}
			if str, ok := x.(string); ok {
				if key == profileKey {
					s.Sweep[key][i] = relLayers(dir, str)
				} else {
					s.Sweep[key][i] = relPlugin(dir, str)
				}
			}
		}
	}
}

func relLayers(dir, list string) string {
	parts := strings.Split(list, calibration.LayerSep)
	for i, p := range parts {
		parts[i] = relPath(dir, strings.TrimSpace(p))
	}
	return strings.Join(parts, calibration.LayerSep)
}

// relPath joins dir and p when p is a relative path (by the rule the
// loaders use: a .toml suffix or a separator makes a path).
func relPath(dir, p string) string {
	if !calibration.IsPath(p) || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// relPlugin is relPath for cni.plugin: a value that is not a built-in
// name and looks like a path (a .toml suffix or a separator) is resolved;
// a bare word such as a misspelt built-in ("flanel") is left as written,
// so its error names what the user wrote.
func relPlugin(dir, p string) string {
	if slices.Contains(cni.Names(), p) || filepath.IsAbs(p) || !calibration.IsPath(p) {
		return p
	}
	return filepath.Join(dir, p)
}
