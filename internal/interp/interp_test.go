package interp

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestTags(t *testing.T) {
	tests := []struct {
		in   Interpreter
		want string
	}{
		{Interpreter{Impl: "cpython", Major: 3, Minor: 11}, "cpython-311"},
		{Interpreter{Impl: "cpython", Major: 2, Minor: 7}, "cpython-27"},
		{Interpreter{Impl: "pypy", Major: 3, Minor: 9}, "pypy39"},
	}
	for _, tt := range tests {
		if got := tt.in.Tag(); got != tt.want {
			t.Errorf("%+v: %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestFromName(t *testing.T) {
	tests := []struct {
		path, real string
		want       string
		ok         bool
	}{
		{"/usr/bin/python3.12", "/usr/bin/python3.12", "cpython-312", true},
		{"/usr/bin/python3", "/usr/bin/python3.11", "cpython-311", true},
		{"/usr/bin/pypy3", "/usr/lib/pypy3.9/bin/pypy3.9", "pypy39", true},
		{"/usr/bin/python3", "/usr/bin/python3", "", false},
	}
	for _, tt := range tests {
		in, ok := fromName(tt.path, tt.real)
		if ok != tt.ok || ok && in.Tag() != tt.want {
			t.Errorf("%s -> %s: %v %v, want %s %v", tt.path, tt.real, in.Tag(), ok, tt.want, tt.ok)
		}
	}
}

func TestPyenv(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"3.12.1", "2.7.18", "3.9.18", "pypy3.10-7.3.17", "system-ish"} {
		bin := "python"
		if v[0] == 'p' {
			bin = "pypy"
		}
		p := filepath.Join(root, "versions", v, "bin", bin)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755)
	}
	t.Setenv("PYENV_ROOT", root)
	got := Pyenv()
	var tags []string
	for _, in := range got {
		tags = append(tags, in.Tag())
	}
	want := []string{"cpython-27", "cpython-39", "pypy310", "cpython-312"}
	if len(tags) != len(want) {
		t.Fatalf("have %q, want %q", tags, want)
	}
	for i := range want {
		if tags[i] != want[i] {
			t.Errorf("have %q, want %q", tags, want)
			break
		}
	}
}

func TestParseNames(t *testing.T) {
	type parser func(string) (string, int, int, bool)
	for _, tt := range []struct {
		parse      parser
		name, want string // want: impl-X.Y, "" when the name says nothing
	}{
		{ParsePyenvName, "3.11.7", "cpython-3.11"}, {ParsePyenvName, "3.13-dev", "cpython-3.13"},
		{ParsePyenvName, "3.13.0t", "cpython-3.13"}, {ParsePyenvName, "pypy3.9-7.3.11", "pypy-3.9"},
		{ParsePyenvName, "graalpy-23.1.0", ""}, {ParsePyenvName, "anaconda3-2023.09", ""},
		{ParsePyenvName, "myenv", ""}, {ParsePyenvName, "3", ""},
		{ParseExeName, "python3.11", "cpython-3.11"}, {ParseExeName, "pypy3.9", "pypy-3.9"},
		{ParseExeName, "graalpy3.10", "graalpy-3.10"}, {ParseExeName, "python3", ""}, {ParseExeName, "python", ""},
		{ParseExeName, "python3.11-config", ""}, {ParseExeName, "python3.11m", ""}, {ParseExeName, "ipython3.11", ""},
	} {
		impl, major, minor, ok := tt.parse(tt.name)
		have := ""
		if ok {
			have = fmt.Sprintf("%s-%d.%d", impl, major, minor)
		}
		if have != tt.want || ok != (impl != "") {
			t.Errorf("%q: have %q, want %q", tt.name, have, tt.want)
		}
	}
}

func TestPyenvRootEnv(t *testing.T) {
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PYENV_ROOT": "/opt/pyenv", "HOME": "/home/a"}, "/opt/pyenv"},
		{map[string]string{"HOME": "/home/a"}, "/home/a/.pyenv"},
	} {
		if have := PyenvRootEnv(func(k string) string { return tt.env[k] }); have != tt.want {
			t.Errorf("%v: have %q, want %q", tt.env, have, tt.want)
		}
	}
}
