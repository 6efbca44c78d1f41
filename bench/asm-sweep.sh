#!/usr/bin/env bash
# The full sweeps behind the figures of docs/asm.md (issue 4):
#   1. every pyc of each installed interpreter's library printed as
#      assembly and assembled back, compared byte for byte;
#   2. every decodable file of ../shared/corpus, the same;
#   3. the stack size computed for every code object of each library,
#      against co_stacksize.
# The default test runs do a sample; these do everything (about 15 minutes
# on two cores for the nine interpreters).
# Usage: bench/asm-sweep.sh
set -euo pipefail
cd "$(dirname "$0")/.."
go test ./asm -run 'TestRoundTripStdlib|TestRoundTripCorpus' -asm.n=0 -count=1 -timeout 3h -v 2>&1 |
	grep -E 'byte for byte|do not decode|FAIL|differs|assemble:|print:' || true
go test ./build -run TestStackSizeFigures -stack.n=0 -count=1 -timeout 1h -v 2>&1 |
	grep -E 'code objects|FAIL|lower than' || true
