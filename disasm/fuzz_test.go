package disasm_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

// FuzzDis checks that no pyc makes the disassembler panic or run away:
// whatever parses is listed (to io.Discard), in dis and JSON form.
func FuzzDis(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "*", "*.ts.pyc"))
	for _, name := range names {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := pyc.Parse(data, pyc.ParseOptions{})
		if err != nil || file.TopCode() == nil {
			return
		}
		c, err := disasm.NewCode(file.TopCode(), file.Version())
		if err != nil {
			return
		}
		disasm.Dis(io.Discard, c, disasm.DisOptions{})
		disasm.JSON(c) //nolint:errcheck // only panics matter here
	})
}
