package podlaunch

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/BurntSushi/toml"

	"github.com/cnisim/cnisim/internal/tomlguard"
	"github.com/cnisim/cnisim/internal/tomlkeys"
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

// decodeStrict decodes data into v, rejecting keys that check refuses.
// BurntSushi/toml matches struct tags case-insensitively and ignores
// unknown keys, so every key it saw is checked by its exact spelling.
func decodeStrict(data []byte, file string, v any, check func(k toml.Key) error) (*lineIndex, error) {
	lines := indexLines(data)
	if len(bytes.TrimSpace(data)) == 0 {
		return lines, fmt.Errorf("%s: empty parameter file", file)
	}
	if err := tomlguard.Check(file, data); err != nil {
		return lines, err
	}
	md, err := toml.Decode(string(data), v)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			msg := pe.Message
			if pe.LastKey != "" {
				msg = fmt.Sprintf("key %q: %s", pe.LastKey, msg)
			}
			return lines, fmt.Errorf("%s:%d: %s", file, pe.Position.Line, msg)
		}
		return lines, fmt.Errorf("%s: %w", file, err)
	}
	for _, k := range md.Keys() {
		if err := check(k); err != nil {
			return lines, fmt.Errorf("%s: %w", lines.where(file, k), err)
		}
	}
	if und := md.Undecoded(); len(und) > 0 {
		return lines, fmt.Errorf("%s: unknown key %q", lines.where(file, und[0]), und[0].String())
	}
	return lines, nil
}

func unknown(k toml.Key, allowed []string) error {
	return fmt.Errorf("unknown key %q (allowed: %s)", k.String(), list(allowed))
}

// checkStageKey checks keys below "stage" (k[0] == "stage").
func checkStageKey(k toml.Key, stages []string) error {
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

func checkPluginKey(k toml.Key) error {
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

func checkClusterKey(k toml.Key) error {
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
func locate(file string, lines *lineIndex, errs []error) error {
	out := make([]error, len(errs))
	for i, e := range errs {
		var fe *fieldError
		if errors.As(e, &fe) {
			out[i] = fmt.Errorf("%s: %w", lines.where(file, fe.path), e)
		} else {
			out[i] = fmt.Errorf("%s: %w", file, e)
		}
	}
	return errors.Join(out...)
}

// lineIndex maps key paths to the lines that define them
// (internal/tomlkeys).
type lineIndex struct{ tomlkeys.Lines }

func indexLines(data []byte) *lineIndex { return &lineIndex{tomlkeys.Index(data)} }

// where returns file:line for the longest prefix of path defined in the
// file, or file alone.
func (li *lineIndex) where(file string, path []string) string {
	if n := li.Line(path...); n > 0 {
		return fmt.Sprintf("%s:%d", file, n)
	}
	return file
}
