package cli

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestRunFlags(t *testing.T) {
	tests := []struct {
		args  []string
		file  string
		rest  []string
		flags []string
		warm  bool
		deny  []string
	}{
		{[]string{"a.pyc"}, "a.pyc", []string{}, nil, false, nil},
		{[]string{"-OO", "-u", "-X", "dev", "-W", "error", "a.pyc", "-X", "--warm", "b"}, "a.pyc",
			[]string{"-X", "--warm", "b"}, []string{"-u", "-OO", "-W", "error", "-X", "dev"}, false, nil},
		{[]string{"--warm", "--deny", "net", "--deny", "os.system", "--", "a.pyc", "--deny"}, "a.pyc",
			[]string{"--deny"}, nil, true, []string{"net", "os.system"}},
		{[]string{"-I", "-s", "-S", "-B", "-E", "x.zip"}, "x.zip", []string{}, []string{"-B", "-E", "-I", "-s", "-S"}, false, nil},
	}
	for _, tt := range tests {
		var got *runOptions
		cmd := newRunCmd(&IO{}, func(o *runOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		if err := cmd.Execute(); err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if got.File != tt.file || !reflect.DeepEqual(got.Args, tt.rest) || !reflect.DeepEqual(got.Py.list(), tt.flags) ||
			got.Warm != tt.warm || !reflect.DeepEqual(got.Deny, tt.deny) {
			t.Errorf("%q: have file %q args %q flags %q warm %v deny %q", tt.args, got.File, got.Args, got.Py.list(), got.Warm, got.Deny)
		}
		if got.Idle != 10*time.Minute {
			t.Errorf("%q: idle timeout %v", tt.args, got.Idle)
		}
	}
}

func TestRunUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"run"}, "requires at least 1 arg"},
		{[]string{"run", "--deny", "two words", "a.pyc"}, "neither a group"},
		{[]string{"run", "--idle-timeout", "0s", "a.pyc"}, "--idle-timeout"},
		{[]string{"serve"}, "give one of --python and --python-version"},
		{[]string{"serve", "--python-version", "9.9"}, "--python-version"},
		{[]string{"interpreters", "extra"}, "unknown command"},
	} {
		var out, errb bytes.Buffer
		code := Main(tt.args, strings.NewReader(""), &out, &errb)
		if code != ExitUsage || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q", tt.args, code, errb.String(), ExitUsage, tt.want)
		}
	}
}
