package disasm

import "testing"

func TestLineWidth313(t *testing.T) {
	for _, tc := range []struct {
		starts []LineStart
		want   int
	}{
		{nil, 0},
		{[]LineStart{{0, 0}}, 0},
		{[]LineStart{{0, NoLine}}, 0},
		{[]LineStart{{0, 1}, {2, 99}}, 3},
		{[]LineStart{{0, 1}, {2, NoLine}}, 4},
		{[]LineStart{{0, 1000}}, 4},
		{[]LineStart{{0, 12345}, {4, NoLine}}, 5},
		{[]LineStart{{0, 0}, {2, 7}, {4, NoLine}}, 4},
	} {
		if got := lineWidth313(tc.starts); got != tc.want {
			t.Errorf("lineWidth313(%v) = %d, want %d", tc.starts, got, tc.want)
		}
	}
}

func TestPositionsWidth(t *testing.T) {
	none := Position{NoLine, NoLine, NoLine, NoLine}
	for _, tc := range []struct {
		ps   []Position
		want int
	}{
		{nil, 0},
		{[]Position{none}, 0},
		// "1:0-1:5" is 7 wide, and a blank.
		{[]Position{{1, 1, 0, 5}, none}, 8},
		// "1:?-1:?": at least len("  --")+1.
		{[]Position{{1, 1, NoLine, NoLine}}, 8},
		{[]Position{{12001, 14007, 0, 12}}, 17},
	} {
		if got := positionsWidth(tc.ps); got != tc.want {
			t.Errorf("positionsWidth(%v) = %d, want %d", tc.ps, got, tc.want)
		}
	}
}

func TestAppendFormat(t *testing.T) {
	for _, tc := range []struct{ format, s, want string }{
		{"%s + NULL", "print", "print + NULL"},
		{"from %s", "L3", "from L3"},
		{"bool(%s)", "==", "bool(==)"},
		{"plain", "x", "plain"},
	} {
		if got := string(appendFormat(nil, tc.format, []byte(tc.s))); got != tc.want {
			t.Errorf("appendFormat(%q, %q) = %q, want %q", tc.format, tc.s, got, tc.want)
		}
	}
}
