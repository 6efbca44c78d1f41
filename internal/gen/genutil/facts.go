package genutil

import (
	"fmt"
	"os"
	"path/filepath"
)

// File is a fact file read by ReadFacts.
type File[F any] struct {
	// Path is the file's path.
	Path string
	// Facts is what it holds.
	Facts F
}

// ReadFacts reads and parses every file in dir whose name matches pattern,
// in name order. A parse error names the file.
func ReadFacts[F any](dir, pattern string, parse func([]byte) (F, error)) ([]File[F], error) {
	paths, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return nil, err
	}
	files := make([]File[F], 0, len(paths))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		f, err := parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		files = append(files, File[F]{p, f})
	}
	return files, nil
}

// Marshaler is facts that can be written as a fact file's text.
type Marshaler interface {
	// Marshal returns the canonical text of the fact file.
	Marshal() ([]byte, error)
}

// Canonical returns the function that puts a fact file's text in canonical
// form: parse it, then marshal it again.
func Canonical[F Marshaler](parse func([]byte) (F, error)) func([]byte) ([]byte, error) {
	return func(data []byte) ([]byte, error) {
		f, err := parse(data)
		if err != nil {
			return nil, err
		}
		return f.Marshal()
	}
}

// Reformat rewrites every file in dir whose name matches pattern in the
// canonical form canonical returns (see Canonical).
func Reformat(dir, pattern string, canonical func([]byte) ([]byte, error)) error {
	paths, err := filepath.Glob(filepath.Join(dir, pattern))
	if err != nil {
		return err
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if data, err = canonical(data); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if err := WriteIfChanged(p, data); err != nil {
			return err
		}
	}
	return nil
}

// FromFacts returns the function that generates a file from a fact
// directory: load the facts, then generate from them.
func FromFacts[F any](load func(dir string) (F, error), generate func(F) ([]byte, error)) func(dir string) ([]byte, error) {
	return func(dir string) ([]byte, error) {
		all, err := load(dir)
		if err != nil {
			return nil, err
		}
		return generate(all)
	}
}

// FactFile is the facts an interpreter reports, as DumpEach writes them.
type FactFile interface {
	Marshaler
	// Key names the facts in messages.
	Key() string
	// FileName returns the fact file's base name.
	FileName() string
}

// DumpEach runs dump on each interpreter and writes the facts it returns to
// their file in dir, saying so on standard error (as the command prog).
func DumpEach[F FactFile](prog, dir string, interps []Interpreter, dump func(path string) (F, error)) error {
	for _, p := range interps {
		f, err := dump(p.Path)
		if err != nil {
			return err
		}
		data, err := f.Marshal()
		if err != nil {
			return err
		}
		if err := WriteIfChanged(filepath.Join(dir, f.FileName()), data); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%s: dumped %s from %s\n", prog, f.Key(), p.Path)
	}
	return nil
}

// Checked is facts that can check themselves and name their file.
type Checked interface {
	// Validate checks the facts.
	Validate() error
	// Key names the facts in messages.
	Key() string
	// FileName returns the base name of the file that should hold them.
	FileName() string
}

// ReadChecked reads the fact files in dir whose names match pattern, as
// ReadFacts does, and returns their facts once each has passed Validate
// and is found in the file named for it. No files is an error.
func ReadChecked[F Checked](dir, pattern string, parse func([]byte) (F, error)) ([]F, error) {
	files, err := ReadFacts(dir, pattern, parse)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no fact files in %s", dir)
	}
	all := make([]F, 0, len(files))
	for _, file := range files {
		f := file.Facts
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", file.Path, err)
		}
		if filepath.Base(file.Path) != f.FileName() {
			return nil, fmt.Errorf("%s: holds %s, so should be named %s", file.Path, f.Key(), f.FileName())
		}
		all = append(all, f)
	}
	return all, nil
}
