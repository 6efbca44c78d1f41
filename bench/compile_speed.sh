#!/usr/bin/env bash
# Time "pyc compile -j N" against "python -m compileall -j N" on a copy of
# an interpreter's standard library, from an empty cache each time, the two
# alternating so that load from elsewhere hits both alike. Prints each run
# and the medians and best times, and the ratio pyc/compileall.
#
#   bench/compile_speed.sh [X.Y ...]        (default: 3.11 3.13)
#
# Environment: RUNS (default 5), JOBS (default 2), WORK (default
# /tmp/pyc-compile-speed). Both run with PYTHONHASHSEED=0 and -q.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
root=${PYENV_ROOT:-$HOME/.pyenv}
work=${WORK:-/tmp/pyc-compile-speed}
runs=${RUNS:-5}
jobs=${JOBS:-2}
mkdir -p "$work"
CGO_ENABLED=0 go build -o "$work/pyc" ./cmd/pyc
export PYTHONHASHSEED=0
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.11 3.13)


# secs CMD...: run, print the wall time and the CPU time (user + system) in
# seconds. The CPU time is perf's task-clock, which counts every descendant
# (compileall 3.13's workers are children of a forkserver that the main
# process does not wait for, so /usr/bin/time misses them); without perf,
# /usr/bin/time's, which counts the processes waited for.
secs() {
	if command -v perf >/dev/null; then
		local t0 t1
		t0=$(date +%s.%N)
		perf stat -e task-clock -x, -o "$work/perf.txt" "$@" >/dev/null 2>&1 || true
		t1=$(date +%s.%N)
		awk -F, -v w="$(echo "$t1 - $t0" | bc)" '/task-clock/ {printf "%.2f %.2f\n", w, $1 / 1000}' "$work/perf.txt"
	else
		/usr/bin/time -f '%e %U %S' -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
		tail -1 "$work/time.txt" | awk '{printf "%.2f %.2f\n", $1, $2 + $3}'
	fi
}

stats() { sort -n | awk '{a[NR]=$1} END {printf "median %.2f best %.2f", a[int((NR+1)/2)], a[1]}'; }

for xy in "${versions[@]}"; do
	py=$(interpreter "$xy")
	src=$work/lib-$xy
	stdlib_copy "$xy" "$src"
	n=$(find "$src" -name '*.py' | wc -l)
	echo "== $xy: $n sources, -j $jobs, $runs runs each, load $(cut -d' ' -f1-3 /proc/loadavg)"
	: >"$work/ca.txt"
	: >"$work/pc.txt"
	for i in $(seq "$runs"); do
		clean "$src"
		read -r a acpu < <(secs "$py" -m compileall -q -j "$jobs" "$src")
		clean "$src"
		read -r b bcpu < <(secs "$work/pyc" compile -q -j "$jobs" --python "$py" "$src")
		echo "$a $acpu" >>"$work/ca.txt"
		echo "$b $bcpu" >>"$work/pc.txt"
		printf '  run %d: compileall %6.2fs (cpu %6.2fs)  pyc %6.2fs (cpu %6.2fs)  ratio %.2f (cpu %.2f)\n' \
			"$i" "$a" "$acpu" "$b" "$bcpu" "$(echo "$b / $a" | bc -l)" "$(echo "$bcpu / $acpu" | bc -l)"
	done
	med() { awk -v c="$2" '{print $c}' "$1" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
	echo "  compileall: wall $(awk '{print $1}' "$work/ca.txt" | stats), cpu $(awk '{print $2}' "$work/ca.txt" | stats)"
	echo "  pyc:        wall $(awk '{print $1}' "$work/pc.txt" | stats), cpu $(awk '{print $2}' "$work/pc.txt" | stats)"
	printf '  ratio of medians: wall %.2f, cpu %.2f\n' \
		"$(echo "$(med "$work/pc.txt" 1) / $(med "$work/ca.txt" 1)" | bc -l)" \
		"$(echo "$(med "$work/pc.txt" 2) / $(med "$work/ca.txt" 2)" | bc -l)"
	clean "$src"
done
