package gen

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// DumpScript is the Python program (CPython 3.6+) that prints an
// interpreter's stack-effect facts as JSON.
//
//go:embed dump.py
var DumpScript string

// Dump runs the dump script under the interpreter at path.
func Dump(path string) (*Facts, error) {
	cmd := exec.Command(path, "-")
	cmd.Stdin = strings.NewReader(DumpScript)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %s", path, err, stderr.String())
	}
	f, err := Parse(out)
	if err != nil {
		return nil, fmt.Errorf("%s: reading its facts: %w", path, err)
	}
	return f, nil
}

// Interpreters returns the CPython 3.6+ interpreters under pyenv (one per
// X.Y, the newest patch release), the ones whose dis has stack_effect.
func Interpreters() []string {
	root := os.Getenv("PYENV_ROOT")
	if root == "" {
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, ".pyenv")
	}
	paths, _ := filepath.Glob(filepath.Join(root, "versions", "*", "bin", "python"))
	best := map[string][3]int{}
	bestPath := map[string]string{}
	for _, p := range paths {
		name := filepath.Base(filepath.Dir(filepath.Dir(p)))
		parts := strings.Split(name, ".")
		if len(parts) != 3 {
			continue
		}
		var v [3]int
		ok := true
		for i, s := range parts {
			n, err := strconv.Atoi(s)
			if err != nil {
				ok = false
			}
			v[i] = n
		}
		if !ok || v[0] < 3 || v[0] == 3 && v[1] < 6 {
			continue
		}
		key := parts[0] + "." + parts[1]
		if old, seen := best[key]; !seen || v[2] > old[2] {
			best[key], bestPath[key] = v, p
		}
	}
	out := make([]string, 0, len(bestPath))
	for _, p := range bestPath {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}
