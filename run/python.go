package run

import (
	_ "embed"
	"fmt"
	"hash/crc32"
	"strings"
	"sync"
	"unicode/utf8"
)

// runnerSource is the Python half of pyc run (bootstrap and warm server).
// It is handed to the interpreter with -c, after a line "C = {...}" that
// configures it; it is never written to disk.
//
//go:embed python/runner.py
var runnerSource []byte

// RunnerHash identifies the embedded Python source: warm servers started
// by another build of pyc are not reused. It is runnerHashValue, the
// CRC-32 (IEEE) and length of python/runner.py in hexadecimal, written into
// runner_hash.go by TestRunnerHash (go test ./run -run TestRunnerHash
// -update), which fails when it is stale: computing it at run time would
// cost a warm run's client a hash of 40 KB and the CRC tables.
func RunnerHash() string { return runnerHashValue }

// runnerHashOf returns what RunnerHash returns for the runner source src.
func runnerHashOf(src []byte) string {
	return fmt.Sprintf("%08x%x", crc32.ChecksumIEEE(src), len(src))
}

// Config is the configuration of the Python runner, written as a Python
// dict literal in front of its source: mode "boot" or "serve" and the
// settings of that mode.
type Config struct {
	entries []string
}

// Set adds key = value, where value is a string, int, bool, []byte
// (bytes; nil is None), []string or []Rule.
func (c *Config) Set(key string, value any) {
	c.entries = append(c.entries, pyString(key)+": "+pyValue(value))
}

// Source returns the -c program: the configuration, then the runner,
// compiled under the name "<pyc run>" so that the frames of the runner
// (the audit hook's, in a denied event's traceback) say whose they are.
func (c *Config) Source() string {
	return "import os\nC = {" + strings.Join(c.entries, ", ") + "}\nexec(compile(" +
		runnerLiteral() + ", '<pyc run>', 'exec'))\n"
}

// runnerLiteral is runnerSource as a Python string literal.
var runnerLiteral = sync.OnceValue(func() string { return pyString(string(runnerSource)) })

func pyValue(v any) string {
	switch v := v.(type) {
	case string:
		return pyString(v)
	case int:
		return fmt.Sprint(v)
	case bool:
		if v {
			return "True"
		}
		return "False"
	case []byte:
		if v == nil {
			return "None"
		}
		return pyBytes(v)
	case []string:
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = pyString(s)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case []Rule:
		parts := make([]string, len(v))
		for i, r := range v {
			parts[i] = "(" + pyString(r.Kind.String()) + ", " + pyString(r.Value) + ", " + pyString(r.Label) + ")"
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	panic(fmt.Sprintf("run: no Python literal for %T", v))
}

// pyBytes returns a Python bytes literal for b: printable ASCII as it
// is, other bytes as \x escapes (which take exactly two hex digits, so a
// digit after one is its own byte).
func pyBytes(b []byte) string {
	var s strings.Builder
	s.Grow(2*len(b) + 3)
	s.WriteString("b'")
	for _, c := range b {
		switch {
		case c == '\\' || c == '\'':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c >= 0x20 && c < 0x7f:
			s.WriteByte(c)
		default:
			fmt.Fprintf(&s, "\\x%02x", c)
		}
	}
	s.WriteByte('\'')
	return s.String()
}

// pyString returns a Python 3 expression for s: a str literal when s is
// UTF-8, otherwise os.fsdecode of a bytes literal (file names may hold any
// bytes; fsdecode gives them back as the interpreter decodes its argv).
func pyString(s string) string {
	var b strings.Builder
	if !utf8.ValidString(s) {
		b.WriteString("os.fsdecode(b'")
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 0x20 && c < 0x7f && c != '\\' && c != '\'' {
				b.WriteByte(c)
			} else {
				fmt.Fprintf(&b, "\\x%02x", c)
			}
		}
		b.WriteString("')")
		return b.String()
	}
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\\' || r == '\'':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r < 0x10000:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			fmt.Fprintf(&b, "\\U%08x", r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
