#!/usr/bin/env bash
# A fuzzing campaign over every fuzz target of the repository: each target
# runs for DURATION (default 10m) with one worker, two targets at a time
# (for a 2-core machine), and a summary line per target says its exit
# status, wall time and executions. A crasher is written by go test under
# PKG/testdata/fuzz/TARGET/ and the target's log is kept in the output
# directory.
#
# Usage: bench/fuzz.sh [DURATION] [OUTDIR]     (default: 10m, a temp dir)
#
# A duration -fuzztime may end with "context deadline exceeded" and no
# crasher (go.dev/issue/75804, Go 1.26): the summary marks such an ending
# "deadline-race" rather than a finding.
set -uo pipefail
cd "$(dirname "$0")/.."
duration=${1:-10m}
out=${2:-$(mktemp -d)}
mkdir -p "$out"
targets=(
	./marshal:FuzzUnmarshal
	./pyc:FuzzParse
	./marshal:FuzzOtherFormats
	./disasm:FuzzDis
	./asm:FuzzAssemble
	./asm:FuzzAsmRoundTrip
)

one() {
	local pkg=${1%%:*} name=${1##*:} start rc verdict
	start=$(date +%s)
	go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$duration" -parallel 1 >"$out/$name.log" 2>&1
	rc=$?
	verdict=ok
	if [ $rc -ne 0 ]; then
		verdict=FINDING
		if grep -q "context deadline exceeded" "$out/$name.log" && ! grep -q "Failing input written" "$out/$name.log"; then
			verdict=deadline-race
		fi
	fi
	printf '%-18s %-13s %5ss  %s\n' "$name" "$verdict" "$(($(date +%s) - start))" \
		"$(grep -o 'execs: [0-9]*' "$out/$name.log" | tail -1)"
}

echo "fuzzing each target for $duration, logs in $out ($(go version | cut -d' ' -f3), $(nproc) CPUs)"
for ((i = 0; i < ${#targets[@]}; i += 2)); do
	one "${targets[i]}" &
	if [ $((i + 1)) -lt ${#targets[@]} ]; then one "${targets[i + 1]}" & fi
	wait
done
