// Command pyc reads, checks, disassembles and writes Python bytecode files.
// Run "pyc help" for the commands.
package main

import (
	"os"

	"github.com/pyc-tools/pyc/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
