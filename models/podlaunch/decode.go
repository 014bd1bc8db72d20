package podlaunch

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cnisim/cnisim/internal/tomlx"
)

// ParsePlugin decodes and validates a plugin parameter file. file names the
// input in errors, which give file:line, the key and the allowed values.
func ParsePlugin(data []byte, file string) (*PluginParams, error) {
	var p PluginParams
	lines, err := decodeStrict(data, file, &p, checkPluginKey)
	if err != nil {
		return nil, err
	}
	if errs := p.validate(); len(errs) > 0 {
		return nil, locate(file, lines, errs)
	}
	return &p, nil
}

// ParseCluster decodes and validates the cluster parameter file.
func ParseCluster(data []byte, file string) (*ClusterParams, error) {
	var c ClusterParams
	lines, err := decodeStrict(data, file, &c, checkClusterKey)
	if err != nil {
		return nil, err
	}
	if errs := c.validate(); len(errs) > 0 {
		return nil, locate(file, lines, errs)
	}
	return &c, nil
}

// decodeStrict decodes data into v, rejecting keys that check refuses
// (internal/tomlx).
func decodeStrict(data []byte, file string, v any, check func(k tomlx.Key) error) (tomlx.Lines, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%s: empty parameter file", file)
	}
	return tomlx.Decode(file, data, v, tomlx.Options{Check: func(k tomlx.Key, _ string) error { return check(k) }})
}

func unknown(k tomlx.Key, allowed []string) error {
	return fmt.Errorf("unknown key %q (allowed: %s)", k.String(), list(allowed))
}

// checkStageKey checks keys below "stage" (k[0] == "stage").
func checkStageKey(k tomlx.Key, stages []string) error {
	switch {
	case len(k) == 2 && !contains(stages, k[1]):
		return fmt.Errorf("unknown stage %q (allowed: %s)", k[1], list(stages))
	case len(k) == 3 && !contains(stageKeys, k[2]):
		return unknown(k, stageKeys)
	case len(k) == 4 && !contains(paramKeys, k[3]):
		return unknown(k, paramKeys)
	case len(k) > 4:
		return unknown(k, paramKeys)
	}
	return nil
}

func checkPluginKey(k tomlx.Key) error {
	switch {
	case !contains(pluginRootKeys, k[0]):
		return unknown(k, pluginRootKeys)
	case k[0] == "stage":
		return checkStageKey(k, stageNamesOf(cniStages))
	case (k[0] == "serialize" || k[0] == "policy") && len(k) > 1 && (len(k) > 2 || !contains(paramKeys, k[1])):
		return unknown(k, paramKeys)
	}
	return nil
}

func checkClusterKey(k tomlx.Key) error {
	switch {
	case !contains(clusterRootKeys, k[0]):
		return unknown(k, clusterRootKeys)
	case k[0] == "stage":
		return checkStageKey(k, stageNamesOf(clusterStages))
	case len(k) == 2 && !contains(limitKeys, k[1]):
		return unknown(k, limitKeys)
	case len(k) == 3 && !contains(paramKeys, k[2]), len(k) > 3:
		return unknown(k, paramKeys)
	}
	return nil
}

// locate prefixes each validation error with file:line of its key.
func locate(file string, lines tomlx.Lines, errs []error) error {
	out := make([]error, len(errs))
	for i, e := range errs {
		var fe *fieldError
		if errors.As(e, &fe) {
			out[i] = fmt.Errorf("%s: %w", lines.WhereKey(file, fe.path...), e)
		} else {
			out[i] = fmt.Errorf("%s: %w", file, e)
		}
	}
	return errors.Join(out...)
}
