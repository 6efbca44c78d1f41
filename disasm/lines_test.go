package disasm_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// tablesDump is one line of testdata/linetables.py's output.
type tablesDump struct {
	Path  string `json:"path"`
	Codes []struct {
		Name      string   `json:"name"`
		Starts    [][]*int `json:"starts"`
		Lines     [][]*int `json:"lines"`
		Positions [][]*int `json:"positions"`
		Exc       [][]any  `json:"exc"`
	} `json:"codes"`
}

// TestLineTablesOracle compares LineStarts, Lines, Positions and
// ExceptionTable with what each installed interpreter's dis.findlinestarts,
// co_lines, co_positions and dis._parse_exception_table report for the
// code objects of a sample of its own pycs (-oracle.n, -oracle.versions).
func TestLineTablesOracle(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	script, err := filepath.Abs("testdata/linetables.py")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, v := range strings.Split(*oracleVersions, ",") {
		if v != "" {
			want[v] = true
		}
	}
	for _, in := range ins {
		if len(want) > 0 && !want[in.Version] {
			continue
		}
		in := in
		t.Run(in.Version, func(t *testing.T) {
			files := pytest.Sample(pytest.StdlibPycs(in), *oracleN)
			if len(files) == 0 {
				t.Skipf("no pycs in %s", in.Prefix)
			}
			bad, total := 0, 0
			for start := 0; start < len(files); start += 200 {
				chunk := files[start:min(start+200, len(files))]
				out, err := in.Run("", append([]string{script}, chunk...)...)
				if err != nil {
					t.Fatalf("linetables.py: %v", err)
				}
				sc := bufio.NewScanner(bytes.NewReader(out))
				sc.Buffer(nil, 1<<30)
				for sc.Scan() {
					var d tablesDump
					if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
						t.Fatalf("linetables.py output: %v", err)
					}
					total++
					if msg := compareTables(d); msg != "" {
						bad++
						if bad <= *oracleShow {
							t.Errorf("%s: %s", d.Path, msg)
						}
					}
				}
			}
			if bad > 0 {
				t.Errorf("%s: %d of %d files differ", in.Version, bad, total)
			}
			t.Logf("%s: %d of %d files differ", in.Version, bad, total)
		})
	}
}

func compareTables(d tablesDump) string {
	f, err := pyc.Open(d.Path)
	if err != nil {
		return err.Error()
	}
	var codes []*marshal.Code
	var walk func(*marshal.Code)
	walk = func(c *marshal.Code) {
		codes = append(codes, c)
		if c.Consts == nil {
			return
		}
		for _, k := range c.Consts.Items {
			if k, ok := k.(*marshal.Code); ok {
				walk(k)
			}
		}
	}
	walk(f.TopCode())
	if len(codes) != len(d.Codes) {
		return fmt.Sprintf("%d code objects, interpreter has %d", len(codes), len(d.Codes))
	}
	line := func(p *int) int {
		if p == nil {
			return disasm.NoLine
		}
		return *p
	}
	for i, m := range codes {
		c, err := disasm.NewCode(m, f.Version())
		if err != nil {
			return err.Error()
		}
		ref := d.Codes[i]
		name := m.NameString()
		var a, b []string
		for _, s := range ref.Starts {
			a = append(a, fmt.Sprint(*s[0], line(s[1])))
		}
		for _, s := range c.LineStarts() {
			b = append(b, fmt.Sprint(s.Offset, s.Line))
		}
		if msg := diffList("findlinestarts", a, b); msg != "" {
			return name + ": " + msg
		}
		if ref.Lines != nil {
			a, b = nil, nil
			for _, r := range ref.Lines {
				a = append(a, fmt.Sprint(*r[0], *r[1], line(r[2])))
			}
			for _, r := range c.Lines() {
				b = append(b, fmt.Sprint(r.Start, r.End, r.Line))
			}
			if msg := diffList("co_lines", a, b); msg != "" {
				return name + ": " + msg
			}
		}
		if ref.Positions != nil {
			a, b = nil, nil
			for _, p := range ref.Positions {
				a = append(a, fmt.Sprint(line(p[0]), line(p[1]), line(p[2]), line(p[3])))
			}
			for _, p := range c.Positions() {
				b = append(b, fmt.Sprint(p.Line, p.EndLine, p.Col, p.EndCol))
			}
			if msg := diffList("co_positions", a, b); msg != "" {
				return name + ": " + msg
			}
		}
		if ref.Exc != nil {
			a, b = nil, nil
			for _, e := range ref.Exc {
				// dis's end is exclusive; ExceptionEntry.End is the last
				// covered offset.
				end := int(e[1].(float64)) - 2
				a = append(a, fmt.Sprint(e[0], end, e[2], e[3], e[4]))
			}
			for _, e := range c.ExceptionTable() {
				b = append(b, fmt.Sprint(e.Start, e.End, e.Target, e.Depth, e.Lasti))
			}
			if msg := diffList("exception table", a, b); msg != "" {
				return name + ": " + msg
			}
		}
	}
	return ""
}

func diffList(what string, want, got []string) string {
	for i := 0; i < len(want) || i < len(got); i++ {
		var x, y string
		if i < len(want) {
			x = want[i]
		}
		if i < len(got) {
			y = got[i]
		}
		if x != y {
			return fmt.Sprintf("%s entry %d: interpreter %q, ours %q (%d vs %d entries)", what, i, x, y, len(want), len(got))
		}
	}
	return ""
}
