#!/usr/bin/env bash
# Compare "pyc compile" with "python -m compileall" on a copy of each
# installed interpreter's standard library, for every invalidation mode the
# version has and for the optimization levels: the pycs must be
# byte-identical (or identical once both are canonicalized, which is
# counted apart). Both run with PYTHONHASHSEED=0 (before 3.11 the order of
# set constants follows the string hash seed); compileall runs serially,
# as "python -m compileall" does by default (its -j workers have other
# modules loaded, which changes FLAG_REF bits of its own output).
#
#   bench/compile_compare.sh [X.Y ...]      (default: every pyenv version)
#
# Needs the interpreters under $PYENV_ROOT/versions (~/.pyenv). Writes
# under ${WORK:-/tmp/pyc-compile-compare}. Takes minutes: not a test.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
root=${PYENV_ROOT:-$HOME/.pyenv}
work=${WORK:-/tmp/pyc-compile-compare}
mkdir -p "$work"
CGO_ENABLED=0 go build -o "$work/pyc" ./cmd/pyc
go build -o "$work/compilecmp" ./bench/compilecmp
export PYTHONHASHSEED=0

versions=("$@")
[ ${#versions[@]} -gt 0 ] || mapfile -t versions < <(all_versions)


status=0
for xy in "${versions[@]}"; do
	py=$(interpreter "$xy")
	src=$work/lib-$xy
	stdlib_copy "$xy" "$src"
	n=$(find "$src" -name '*.py' | wc -l)
	major=${xy%%.*}
	minor=${xy#*.}
	modes=(timestamp)
	if [ "$major" -ge 3 ] && [ "$minor" -ge 7 ]; then modes+=(checked-hash unchecked-hash); fi
	runs=()
	for m in "${modes[@]}"; do runs+=("mode:$m"); done
	runs+=(opt)
	for run in "${runs[@]}"; do
		ca=(-m compileall -q)
		pc=(compile -q -j 2 --python "$py")
		pyflags=()
		case $run in
		mode:*)
			m=${run#mode:}
			if [ "$m" != timestamp ]; then
				ca+=(--invalidation-mode "$m")
				pc+=(--invalidation "$m")
			fi
			label=$m
			;;
		opt)
			if [ "$major" -eq 2 ]; then
				pyflags=(-O)
				pc+=(-O 1)
				label="-O (.pyo)"
			elif [ "$minor" -ge 9 ]; then
				ca+=(-o 1 -o 2)
				pc+=(-O 1,2)
				label="levels 1,2"
			else
				pyflags=(-OO)
				pc+=(-O 2)
				label="level 2"
			fi
			;;
		esac
		clean "$src"
		"$py" "${pyflags[@]}" "${ca[@]}" "$src" >/dev/null 2>&1 || true
		rm -rf "$work/ref"
		mkdir -p "$work/ref"
		(cd "$src" && find . \( -name '*.pyc' -o -name '*.pyo' \) -print | tar -cf - -T -) | tar -xf - -C "$work/ref"
		clean "$src"
		"$work/pyc" "${pc[@]}" "$src" >/dev/null 2>&1 || true
		printf '%-5s %-15s %5d sources: ' "$xy" "$label" "$n"
		if ! "$work/compilecmp" "$work/ref" "$src"; then status=1; fi
	done
	clean "$src"
done
exit $status
