//go:build unix

package compile

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

var (
	umaskOnce  sync.Once
	umaskValue os.FileMode
)

// umask returns the process's file mode creation mask, which Python applies
// to the pycs it creates (os.open with mode & 0o666) and which an explicit
// chmod would otherwise bypass.
func umask() os.FileMode {
	umaskOnce.Do(func() {
		// Linux 4.7 and later tell without changing it.
		if b, err := os.ReadFile("/proc/self/status"); err == nil {
			for _, line := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(line, "Umask:"); ok {
					if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
						umaskValue = os.FileMode(m)
						return
					}
				}
			}
		}
		m := syscall.Umask(0)
		syscall.Umask(m)
		umaskValue = os.FileMode(m)
	})
	return umaskValue
}
