//go:build !unix

package compile

import "os"

// umask returns the usual mask where the system has none to ask.
func umask() os.FileMode { return 0o022 }
