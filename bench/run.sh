#!/usr/bin/env bash
# Latency of pyc run: the interpreter running hello.pyc itself (cold),
# pyc run --warm (a warm server forks a child per run) and pyc run (cold,
# through pyc's exec), measured in the same run, interleaved, by
# bench/runlat (median, 10th and 90th percentiles of N rounds).
#
# Usage: bench/run.sh [-n ROUNDS] [X.Y ...]     (default: 3.11 3.12 3.13)
#
# Interpreters come from pyenv ($PYENV_ROOT/versions/X.Y.*/bin/python).
# Warm servers run in a private $XDG_RUNTIME_DIR and are stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
n=40
if [ "${1:-}" = "-n" ]; then n=$2; shift 2; fi
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.11 3.12 3.13)
root=${PYENV_ROOT:-$HOME/.pyenv}

work=$(mktemp -d)
export XDG_RUNTIME_DIR=$work/run XDG_CACHE_HOME=$work/cache
mkdir -m 700 "$XDG_RUNTIME_DIR"
trap '"$work/pyc" serve --stop-all >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -o "$work/pyc" ./cmd/pyc
go build -o "$work/runlat" ./bench/runlat
echo 'print("hello")' > "$work/hello.py"

echo "machine: $(nproc) CPUs, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rounds: $n (after 3 unmeasured), commands interleaved"
for xy in "${versions[@]}"; do
	py=$(ls -d "$root"/versions/"$xy".*/bin/python 2>/dev/null | sort -V | tail -1 || true)
	if [ ! -x "$py" ]; then
		echo; echo "## $xy: not installed under $root/versions, skipped"; continue
	fi
	dir=$work/$xy
	mkdir -p "$dir"
	"$py" -c 'import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)' "$work/hello.py" "$dir/hello.pyc"
	"$work/pyc" run --python "$py" --warm "$dir/hello.pyc" >/dev/null # start the server
	echo
	echo "## $xy ($("$py" -c 'import sys; print(sys.version.split()[0])'), $py)"
	echo
	"$work/runlat" -n "$n" -label "python$xy hello.pyc,pyc run --warm hello.pyc,pyc run hello.pyc" \
		"$py $dir/hello.pyc" \
		"$work/pyc run --python $py --warm $dir/hello.pyc" \
		"$work/pyc run --python $py $dir/hello.pyc"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
