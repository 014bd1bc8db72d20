package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/cnisim/cnisim/internal/readfile"
)

// configMapMax is what one ConfigMap may hold: the API server refuses
// data larger than 1 MiB (Kubernetes' ConfigMap documentation).
const configMapMax = 1 << 20

// packFiles reads every user file the sweep's scenario names, gives each
// a ConfigMap key (file-N-BASE, N counting distinct files from 1) and
// rewrites the scenario to name it where the pod mounts the ConfigMap
// (k8sScenarioDir/KEY). It returns the keys' contents.
func packFiles(sw *sweep) (map[string]string, error) {
	files := map[string]string{}
	keyOf := map[string]string{} // absolute path -> key
	size := 0
	err := sw.rewriteFiles(func(key, p string) (string, error) {
		a, err := absFile(key, p)
		if err != nil {
			return "", err
		}
		k, ok := keyOf[a]
		if !ok {
			data, err := readfile.Read(a, configMapMax, "a file a ConfigMap can hold (1 MiB)")
			if err != nil {
				return "", usagef("%s = %q: %v", key, p, err)
			}
			k = fmt.Sprintf("file-%d-%s", len(keyOf)+1, configMapKey(filepath.Base(a)))
			keyOf[a], files[k] = k, string(data)
			size += len(data)
		}
		return k8sScenarioDir + "/" + k, nil
	})
	if err != nil {
		return nil, err
	}
	if total := size + len(sw.resolved); total > configMapMax {
		return nil, usagef("the scenario and the files it names hold %d bytes, more than a ConfigMap holds (%d)", total, configMapMax)
	}
	return files, nil
}

// configMapKey keeps the characters a ConfigMap key allows ([-._a-zA-Z0-9])
// and replaces the others with "_".
func configMapKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '.' || r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}
