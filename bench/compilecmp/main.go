// Command compilecmp compares two trees of pycs, such as one written by
// "python -m compileall" and one by "pyc compile" from the same sources:
// how many pycs are byte-identical, how many become identical once both are
// canonicalized (compile.Deterministic: FLAG_REF and set order), and which
// differ even then. It is a benchmark tool, not part of pyc.
//
//	go run ./bench/compilecmp [-v] REF NEW
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyc-tools/pyc/compile"
	"github.com/pyc-tools/pyc/pyc"
)

func main() {
	verbose := flag.Bool("v", false, "list every file that differs")
	keep := flag.String("keep", "", "copy the pairs that differ after canonicalizing into this directory (NAME.ref, NAME.new)")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: compilecmp [-v] REF NEW")
		os.Exit(2)
	}
	ref, cur := flag.Arg(0), flag.Arg(1)
	refs := pycs(ref)
	curs := pycs(cur)
	var raw, norm, differ, missing, extra int
	var bad []string
	for _, rel := range refs {
		a, err1 := os.ReadFile(filepath.Join(ref, rel))
		b, err2 := os.ReadFile(filepath.Join(cur, rel))
		if err2 != nil {
			missing++
			bad = append(bad, "missing "+rel)
			continue
		}
		if err1 != nil {
			fmt.Fprintln(os.Stderr, err1)
			os.Exit(1)
		}
		if bytes.Equal(a, b) {
			raw++
			continue
		}
		na, erra := normalise(a)
		nb, errb := normalise(b)
		if erra == nil && errb == nil && bytes.Equal(na, nb) {
			norm++
			continue
		}
		differ++
		bad = append(bad, fmt.Sprintf("differs %s (%v %v)", rel, erra, errb))
		if *keep != "" {
			base := filepath.Join(*keep, strings.ReplaceAll(rel, "/", "_"))
			os.MkdirAll(*keep, 0o755)
			os.WriteFile(base+".ref", a, 0o644)
			os.WriteFile(base+".new", b, 0o644)
		}
	}
	set := map[string]bool{}
	for _, r := range refs {
		set[r] = true
	}
	for _, c := range curs {
		if !set[c] {
			extra++
			bad = append(bad, "extra "+c)
		}
	}
	fmt.Printf("pycs %d: identical %d, identical after canonicalizing %d, different %d, missing %d, extra %d\n",
		len(refs), raw, norm, differ, missing, extra)
	if len(bad) > 0 {
		n := len(bad)
		if !*verbose && n > 10 {
			n = 10
		}
		for _, b := range bad[:n] {
			fmt.Println("  " + b)
		}
	}
	if differ+missing+extra > 0 {
		os.Exit(1)
	}
}

func pycs(root string) []string {
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".pyc") || strings.HasSuffix(p, ".pyo")) {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// normalise canonicalizes the marshal stream after the header.
func normalise(b []byte) ([]byte, error) {
	h, err := pyc.ParseHeader(b, nil)
	if err != nil {
		return nil, err
	}
	n := h.Version.HeaderSize
	s, err := compile.Deterministic(b[n:], h.Version)
	if err != nil {
		return nil, err
	}
	return append(b[:n:n], s...), nil
}
