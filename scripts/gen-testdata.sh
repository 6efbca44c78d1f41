#!/usr/bin/env bash
# Regenerate the golden pyc test data in testdata/pycs/<X.Y>/.
#
#   scripts/gen-testdata.sh                 # every $(pyenv root)/versions/*/bin/python
#   scripts/gen-testdata.sh /path/to/python3.12 ...
#
# For each interpreter: scripts/gen-testdata.py writes the pycs, their JSON
# descriptions, sourcehash.json and marshal/; then the reference harness
# (REFDIS, default /work/shared/tools/refdis.py) writes NAME.<mode>.pyc.dis.
# Finally testdata/pycs/MANIFEST.tsv is rebuilt from everything present.
# Interpreters that are missing are skipped with a message.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
refdis=${REFDIS:-/work/shared/tools/refdis.py}
pycs=testdata/pycs
cd "$root"

if [ ! -f "$refdis" ]; then
	echo "gen-testdata: reference harness $refdis not found (set REFDIS)" >&2
	exit 1
fi

if [ $# -eq 0 ]; then
	pyroot=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
	shopt -s nullglob
	set -- "$pyroot"/versions/*/bin/python
	shopt -u nullglob
	if [ $# -eq 0 ]; then
		echo "gen-testdata: no interpreters under $pyroot/versions" >&2
		exit 1
	fi
fi

# A fixed, clean environment: hash seed 0 makes set/frozenset/dict order
# (and so marshal output and dis listings) the same on every run.
unset PYTHONOPTIMIZE PYTHONPATH PYTHONHOME PYTHONSTARTUP PYTHONWARNINGS \
	PYTHONINTMAXSTRDIGITS PYTHONUTF8 PYTHONDEVMODE PYTHONSAFEPATH SOURCE_DATE_EPOCH
export PYTHONHASHSEED=0 PYTHONDONTWRITEBYTECODE=1 PYTHONIOENCODING=utf-8
export LC_ALL=C

status=0
done_versions=()
for py in "$@"; do
	if [ ! -x "$py" ]; then
		echo "gen-testdata: skipping $py: not found" >&2
		continue
	fi
	if ! ver=$("$py" -s -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); then
		echo "gen-testdata: skipping $py: does not run" >&2
		continue
	fi
	case "$ver" in
	2.7 | 3.[6-9] | 3.[1-9][0-9]) ;;
	*)
		echo "gen-testdata: skipping $py: Python $ver is not supported (2.7, 3.6+)" >&2
		continue
		;;
	esac
	out=$pycs/$ver
	echo "gen-testdata: $py -> $out" >&2
	if ! "$py" -s scripts/gen-testdata.py --src testdata/src --out "$out"; then
		echo "gen-testdata: $ver: some sources failed (see above)" >&2
		status=1
	fi

	# Reference listings, written beside each pyc as FILE.pyc.dis, for the
	# pycs whose JSON holds the code description (the others have "code_in"
	# naming a pyc with a byte-identical marshal body, hence the same listing).
	(cd "$out" && grep -L '^ "code_in":' -- *.pyc.json | sed 's/\.json$//' | sort) >"$out/.dis-list"
	sed "s|^|$out/|" "$out/.dis-list" | "$py" -s "$refdis" --batch
	while read -r pyc; do
		if [ ! -s "$out/$pyc.dis" ]; then
			echo "gen-testdata: $out/$pyc.dis is missing or empty" >&2
			status=1
		fi
	done <"$out/.dis-list"
	rm -f "$out/.dis-list"
	done_versions+=("$ver:$py")
done

# Every JSON file must parse (checked with each interpreter used).
for vp in "${done_versions[@]}"; do
	ver=${vp%%:*}
	py=${vp#*:}
	if ! find "$pycs/$ver" -name '*.json' | sort | "$py" -s -c '
import json, sys
bad = 0
for line in sys.stdin:
    p = line.strip()
    try:
        with open(p) as f:
            json.load(f)
    except Exception as e:
        sys.stderr.write("gen-testdata: %s: %s\n" % (p, e))
        bad = 1
sys.exit(bad)
'; then
		status=1
	fi
done

# MANIFEST.tsv: every generated file (all versions present), sorted.
manifest=$pycs/MANIFEST.tsv
list=$(mktemp)
{
	printf 'python\tpath\tsize\tsha256\n'
	for dir in "$pycs"/*/; do
		dir=${dir%/}
		ver=$(basename "$dir")
		[ -f "$dir/python.json" ] || continue
		full=$(sed -n 's/^ *"version": "\([^"]*\)",\{0,1\}$/\1/p' "$dir/python.json")
		# (generated names contain no blanks)
		(
			cd "$pycs"
			find "$ver" -type f | sort >"$list"
			paste <(xargs stat -c %s <"$list") <(xargs sha256sum <"$list" | cut -d' ' -f1) |
				paste "$list" - | sed "s|^|$full\t|"
		)
	done
} >"$manifest.tmp"
rm -f "$list"
mv "$manifest.tmp" "$manifest"

echo "gen-testdata: wrote $(($(wc -l <"$manifest") - 1)) files, $(du -sh --apparent-size "$pycs" | cut -f1) in $pycs" >&2
exit $status
