package pyunicode

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/gen/genutil"
	"github.com/pyc-tools/pyc/internal/gen/unicodegen/gen"
	"github.com/pyc-tools/pyc/internal/pytest"
)

// TestGeneratedIsCurrent regenerates tables_gen.go in memory from the fact
// files and compares it with the committed file.
func TestGeneratedIsCurrent(t *testing.T) {
	pytest.CheckGenerated(t, "tables_gen.go", "facts", genutil.FromFacts(gen.Load, gen.Generate),
		"run `go generate ./internal/pyunicode` (or `go run ./internal/gen/unicodegen`)")
}

// TestFactFilesCanonical checks that the fact directory holds only fact
// files, each in the canonical form the generator writes.
func TestFactFilesCanonical(t *testing.T) {
	paths, err := filepath.Glob("facts/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range paths {
		if !strings.HasPrefix(filepath.Base(p), "unicode-") || !strings.HasSuffix(p, ".txt") {
			t.Errorf("%s: not a fact file (facts/unicode-<version>.txt)", p)
		}
	}
	pytest.CheckCanonical(t, "facts/unicode-*.txt", genutil.Canonical(gen.Parse),
		"rewrite it with gen.Facts.Marshal")
}

// TestTablesMatchFacts checks the lookup against the fact files at every
// code point.
func TestTablesMatchFacts(t *testing.T) {
	all, err := gen.Load("facts")
	if err != nil {
		t.Fatal(err)
	}
	step := rune(1)
	if testing.Short() {
		step = 7
	}
	for _, f := range all {
		for _, v := range f.Pythons {
			if got := UnicodeVersion(v.Major, v.Minor); got != f.Unicode {
				t.Errorf("UnicodeVersion(%s) = %q, want %q", v, got, f.Unicode)
			}
		}
		v := f.Pythons[0]
		tab := For(v.Major, v.Minor)
		bad := 0
		check := func(c rune) {
			want := f.Contains(c)
			if tab.IsPrintable(c) != want || IsPrintable(v.Major, v.Minor, c) != want {
				if bad++; bad <= 10 {
					t.Errorf("Python %s: IsPrintable(U+%04X) = %v, want %v", v, c, !want, want)
				}
			}
		}
		for c := rune(0); c <= gen.MaxRune; c += step {
			check(c)
		}
		for _, r := range f.Ranges {
			check(r.Lo - 1)
			check(r.Lo)
			check(r.Hi)
			if r.Hi < gen.MaxRune {
				check(r.Hi + 1)
			}
		}
	}
}

func TestSpotChecks(t *testing.T) {
	type pv struct{ major, minor int }
	versions := []pv{{2, 7}, {3, 5}, {3, 6}, {3, 7}, {3, 8}, {3, 9}, {3, 10}, {3, 11}, {3, 12}, {3, 13}, {3, 14}, {3, 15}, {3, 99}, {4, 0}}
	// since is the first version (index into versions) for which the code
	// point is printable; len(versions) for never, 0 for always.
	never := len(versions)
	tests := []struct {
		r     rune
		since int
		what  string
	}{
		{' ', 0, "SPACE"},
		{'~', 0, "TILDE"},
		{'é', 0, "LATIN SMALL LETTER E WITH ACUTE"},
		{0x20AC, 0, "EURO SIGN"},
		{0xFFFD, 0, "REPLACEMENT CHARACTER"},
		{0x1F600, 0, "GRINNING FACE"},
		{0x00, never, "NUL"},
		{'\t', never, "TAB"},
		{'\n', never, "LINE FEED"},
		{0x7F, never, "DELETE"},
		{0x85, never, "NEXT LINE (Cc)"},
		{0xA0, never, "NO-BREAK SPACE (Zs)"},
		{0xAD, never, "SOFT HYPHEN (Cf)"},
		{0x0378, never, "unassigned"},
		{0x200B, never, "ZERO WIDTH SPACE (Cf)"},
		{0x2028, never, "LINE SEPARATOR (Zl)"},
		{0x2029, never, "PARAGRAPH SEPARATOR (Zp)"},
		{0x3000, never, "IDEOGRAPHIC SPACE (Zs)"},
		{0xD800, never, "first surrogate"},
		{0xDBFF, never, "high surrogate"},
		{0xDC00, never, "low surrogate"},
		{0xDFFF, never, "last surrogate"},
		{0xE000, never, "private use (Co)"},
		{0xFEFF, never, "BYTE ORDER MARK (Cf)"},
		{0xFFFF, never, "noncharacter"},
		{0xF0000, never, "supplementary private use (Co)"},
		{0x10FFFF, never, "last code point"},
		{0x0560, 3, "ARMENIAN SMALL LETTER TURNED AYB (Unicode 11.0)"},
		{0x32FF, 4, "SQUARE ERA NAME REIWA (Unicode 12.1)"},
		{0x08BE, 5, "ARABIC LETTER PEH WITH SMALL V (Unicode 13.0)"},
		{0x0870, 7, "ARABIC LETTER ALEF WITH ATTACHED FATHA (Unicode 14.0)"},
		{0x0CF3, 8, "KANNADA SIGN COMBINING ANUSVARA ABOVE RIGHT (Unicode 15.0)"},
		{0x2FFC, 9, "IDEOGRAPHIC DESCRIPTION CHARACTER SURROUND FROM RIGHT (Unicode 15.1)"},
		{0x0897, 10, "ARABIC PEPET (Unicode 16.0)"},
		{0x088F, 11, "ARABIC LETTER NOON WITH RING ABOVE (Unicode 17.0)"},
	}
	for _, tt := range tests {
		for i, v := range versions {
			want := i >= tt.since
			if got := IsPrintable(v.major, v.minor, tt.r); got != want {
				t.Errorf("IsPrintable(%d, %d, U+%04X %s) = %v, want %v", v.major, v.minor, tt.r, tt.what, got, want)
			}
		}
	}
	for _, r := range []rune{-1, 0x110000, 0x7FFFFFFF} {
		if IsPrintable(3, 12, r) {
			t.Errorf("IsPrintable(3, 12, %#x) = true for an invalid code point", r)
		}
	}
}

func TestUnicodeVersion(t *testing.T) {
	tests := []struct {
		major, minor int
		want         string
	}{
		{2, 7, "9.0.0"},
		{3, -1, "9.0.0"},
		{3, 0, "9.0.0"},
		{3, 5, "9.0.0"},
		{3, 6, "9.0.0"},
		{3, 7, "11.0.0"},
		{3, 8, "12.1.0"},
		{3, 9, "13.0.0"},
		{3, 10, "13.0.0"},
		{3, 11, "14.0.0"},
		{3, 12, "15.0.0"},
		{3, 13, "15.1.0"},
		{3, 14, "16.0.0"},
		{3, 15, "17.0.0"},
		{3, 99, "17.0.0"},
		{4, 0, "17.0.0"},
	}
	for _, tt := range tests {
		if got := UnicodeVersion(tt.major, tt.minor); got != tt.want {
			t.Errorf("UnicodeVersion(%d, %d) = %q, want %q", tt.major, tt.minor, got, tt.want)
		}
		if got := For(tt.major, tt.minor).UnicodeVersion(); got != tt.want {
			t.Errorf("For(%d, %d).UnicodeVersion() = %q, want %q", tt.major, tt.minor, got, tt.want)
		}
	}
}

// liveScript reads code points (decimal, one a line) and prints, on one
// line, 1 or 0 for each as chr(c).isprintable(), after the interpreter's
// version and unicodedata.unidata_version.
const liveScript = `
import sys, unicodedata
cps = [int(x) for x in sys.stdin.read().split()]
sys.stdout.write("%d %d %s\n" % (sys.version_info[0], sys.version_info[1], unicodedata.unidata_version))
sys.stdout.write("".join("1" if chr(c).isprintable() else "0" for c in cps) + "\n")
`

// liveSample picks a few thousand code points for Python major.minor:
// every range boundary of its table (and the code points either side) and
// an even spread over the whole code space.
func liveSample(major, minor int) []rune {
	tab := For(major, minor)
	seen := map[rune]bool{}
	var out []rune
	add := func(c rune) {
		if c >= 0 && c <= gen.MaxRune && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for i := 0; i < len(tab.r16); i++ {
		c := rune(tab.r16[i])
		add(c - 1)
		add(c)
		add(c + 1)
	}
	for i := 0; i < len(tab.r32); i++ {
		c := rune(tab.r32[i])
		add(c - 1)
		add(c)
		add(c + 1)
	}
	for c := rune(0); c <= gen.MaxRune; c += 1009 {
		add(c)
	}
	for c := rune(0xD7F0); c <= 0xE010; c++ {
		add(c)
	}
	return out
}

// TestLive compares IsPrintable with every CPython 3 interpreter found
// (pyenv versions and $UNICODEGEN_PYTHONS) on a few thousand code points
// each.
func TestLive(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping live interpreter test in -short mode")
	}
	interps, err := gen.FindInterpreters()
	if err != nil {
		t.Error(err)
	}
	if len(interps) == 0 {
		t.Skipf("no CPython 3 interpreters found (pyenv versions or $%s)", gen.ExtraEnv)
	}
	for _, p := range interps {
		t.Run(fmt.Sprintf("%d.%d", p.Major, p.Minor), func(t *testing.T) {
			sample := liveSample(p.Major, p.Minor)
			var in strings.Builder
			for _, c := range sample {
				fmt.Fprintf(&in, "%d\n", c)
			}
			cmd := exec.Command(p.Path, "-c", liveScript)
			cmd.Stdin = strings.NewReader(in.String())
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v: %s", p.Path, err, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(lines) != 2 {
				t.Fatalf("%s: unexpected output %q", p.Path, out)
			}
			var major, minor int
			var uv string
			if _, err := fmt.Sscanf(lines[0], "%d %d %s", &major, &minor, &uv); err != nil {
				t.Fatalf("%s: unexpected first line %q", p.Path, lines[0])
			}
			if got := UnicodeVersion(major, minor); got != uv {
				t.Errorf("UnicodeVersion(%d, %d) = %q, interpreter says %q", major, minor, got, uv)
			}
			flags := lines[1]
			if len(flags) != len(sample) {
				t.Fatalf("%s: %d answers for %d code points", p.Path, len(flags), len(sample))
			}
			bad := 0
			for i, c := range sample {
				want := flags[i] == '1'
				if got := IsPrintable(major, minor, c); got != want {
					if bad++; bad <= 10 {
						t.Errorf("IsPrintable(%d, %d, U+%04X) = %v, chr(0x%x).isprintable() is %v", major, minor, c, got, c, want)
					}
				}
			}
			t.Logf("%s (%d.%d, Unicode %s): %d code points checked", p.Path, major, minor, uv, len(sample))
		})
	}
}

var sink bool

func BenchmarkIsPrintable(b *testing.B) {
	text := []rune("Hello, wörld! Ελληνικά русский 中文 日本語 한국어 😀 \u0378\u200b\U0001F9FF\U000E0001")
	for b.Loop() {
		for _, r := range text {
			sink = IsPrintable(3, 12, r)
		}
	}
}

func BenchmarkTableIsPrintable(b *testing.B) {
	text := []rune("Hello, wörld! Ελληνικά русский 中文 日本語 한국어 😀 \u0378\u200b\U0001F9FF\U000E0001")
	tab := For(3, 12)
	for b.Loop() {
		for _, r := range text {
			sink = tab.IsPrintable(r)
		}
	}
}
