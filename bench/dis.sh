#!/usr/bin/env bash
# Compare disassembly speed over the pycs of one installed CPython:
#   1. CPython's own dis (bench/dis_cpython.py, code objects preloaded),
#   2. pyc dis (one process for all files, and the Go benchmark),
#   3. pycdas, if PYCDAS names a pycdas binary (built from its public
#      source outside this repository; it takes one file per run).
# Usage: bench/dis.sh [X.Y]   (default 3.11)
set -euo pipefail
cd "$(dirname "$0")/.."
xy=${1:-3.11}
root=${PYENV_ROOT:-$HOME/.pyenv}
py=$(ls -d "$root"/versions/"$xy".*/bin/python 2>/dev/null | tail -1)
[ -x "$py" ] || { echo "Python $xy not found under $root/versions" >&2; exit 1; }
lib=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
tag=$("$py" -c 'import sys; print(sys.implementation.cache_tag)')
list=$(mktemp)
trap 'rm -f "$list"' EXIT
find "$lib" -name "*.$tag*.pyc" | sort > "$list"
n=$(wc -l < "$list")
echo "files: $n ($xy, $lib)"

echo "== CPython $xy dis (in process, best of 3)"
"$py" bench/dis_cpython.py "$lib"

echo "== pyc dis (one process, all files)"
CGO_ENABLED=0 go build -o /tmp/pyc-bench ./cmd/pyc
s=$(date +%s.%N)
xargs -a "$list" -n 2000 /tmp/pyc-bench dis > /dev/null 2>&1 || true
e=$(date +%s.%N)
echo "seconds: $(echo "$e - $s" | bc)"

echo "== go test -bench DisStdlib"
go test ./disasm -run XXX -bench "DisStdlib${xy/./}\$" -benchtime 3x | grep Benchmark || true

if [ -n "${PYCDAS:-}" ] && [ -x "$PYCDAS" ]; then
  echo "== pycdas (one process per file)"
  s=$(date +%s.%N)
  while read -r f; do "$PYCDAS" "$f" > /dev/null 2>&1 || true; done < "$list"
  e=$(date +%s.%N)
  echo "seconds: $(echo "$e - $s" | bc)"
  echo "== pyc dis (one process per file)"
  s=$(date +%s.%N)
  while read -r f; do /tmp/pyc-bench dis "$f" > /dev/null 2>&1 || true; done < "$list"
  e=$(date +%s.%N)
  echo "seconds: $(echo "$e - $s" | bc)"
fi
