package run

import (
	"reflect"
	"testing"
)

func TestParseDeny(t *testing.T) {
	tests := []struct {
		in   []string
		want []Rule
		err  bool
	}{
		{in: nil, want: nil},
		{in: []string{"socket.connect"}, want: []Rule{{MatchName, "socket.connect", "socket.connect"}}},
		{in: []string{"shutil.*, os.system"}, want: []Rule{{MatchPrefix, "shutil.", "shutil.*"}, {MatchName, "os.system", "os.system"}}},
		{in: []string{"exec"}, want: []Rule{{MatchPredicate, "dynamic-code", "exec"}}},
		{in: []string{"import-native"}, want: []Rule{{MatchName, "ctypes.dlopen", "import-native"}, {MatchPredicate, "import-extension", "import-native"}}},
		{in: []string{"os.system", "os.system,"}, want: []Rule{{MatchName, "os.system", "os.system"}}},
		{in: []string{"socket.*.x*"}, err: true},
		{in: []string{"no spaces"}, err: true},
		{in: []string{"1abc"}, err: true},
		{in: []string{"*"}, err: true},
	}
	for _, tt := range tests {
		have, err := ParseDeny(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("%q: error %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(have, tt.want) {
			t.Errorf("%q: have %v, want %v", tt.in, have, tt.want)
		}
	}
	// Every group expands to something, and net to socket.*.
	for _, g := range Groups {
		r, err := ParseDeny([]string{g.Name})
		if err != nil || len(r) == 0 {
			t.Errorf("group %s: %v, %d rules", g.Name, err, len(r))
		}
	}
	r, _ := ParseDeny([]string{"net"})
	if r[0] != (Rule{MatchPrefix, "socket.", "net"}) {
		t.Errorf("net: first rule %v, want socket.* ", r[0])
	}
}
