#!/usr/bin/env bash
# Decoding speed: CPython's C marshal.loads against pyc's marshal.Unmarshal
# over the same files (every pyc of the X.Y installation's lib directory),
# in one run.  Usage: bench/marshal.sh [X.Y...]   (default: 3.11 3.13)
set -euo pipefail
cd "$(dirname "$0")/.."
root=${PYENV_ROOT:-$HOME/.pyenv}
for xy in "${@:-3.11 3.13}"; do
  for v in $xy; do
    py=$(ls -d "$root"/versions/"$v".*/bin/python 2>/dev/null | tail -1)
    [ -x "$py" ] || { echo "Python $v not installed, skipped"; continue; }
    lib=$("$py" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
    echo "== $v: CPython marshal.loads (best of 5)"
    "$py" bench/marshal_loads.py "$lib"
    echo "== $v: pyc marshal.Unmarshal"
    go test ./marshal -run XXX -bench "UnmarshalStdlib${v/./}\$" -benchtime 5x | grep Benchmark
  done
done
