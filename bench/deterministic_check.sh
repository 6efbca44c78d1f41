#!/usr/bin/env bash
# Build each interpreter's standard library twice with "pyc compile
# --deterministic" (one server, then two: other orders, other server
# histories) and check that the pycs are byte-identical, then that the
# interpreter loads every one of them as the code an ordinary pyc of its
# source loads as (marshal.loads(marshal.dumps(compile(...)))).
#
#   bench/deterministic_check.sh [X.Y ...]   (default: every pyenv version)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
root=${PYENV_ROOT:-$HOME/.pyenv}
work=${WORK:-/tmp/pyc-deterministic}
mkdir -p "$work"
CGO_ENABLED=0 go build -o "$work/pyc" ./cmd/pyc
versions=("$@")
[ ${#versions[@]} -gt 0 ] || mapfile -t versions < <(all_versions)
status=0
for xy in "${versions[@]}"; do
	py=$(interpreter "$xy")
	src=$work/lib-$xy
	stdlib_copy "$xy" "$src"
	clean "$src"
	"$work/pyc" compile -q -j 1 --deterministic --python "$py" "$src" >/dev/null 2>&1 || true
	rm -rf "$work/first"
	mkdir -p "$work/first"
	(cd "$src" && find . \( -name '*.pyc' -o -name '*.pyo' \) -print | tar -cf - -T -) | tar -xf - -C "$work/first"
	clean "$src"
	"$work/pyc" compile -q -j 2 --deterministic --python "$py" "$src" >/dev/null 2>&1 || true
	n=$(find "$work/first" -type f | wc -l)
	differ=0
	while IFS= read -r f; do
		cmp -s "$work/first/$f" "$src/$f" || { differ=$((differ + 1)); echo "  differs: $f"; }
	done < <(cd "$work/first" && find . -type f)
	# Load each pyc and compare it with compile() of its source.
	loaded=$("$py" -W ignore - "$src" <<'EOF'
import marshal, os, struct, sys
root = sys.argv[1]


def same(a, b):
    """Equality that holds for NaN constants and looks into code objects."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack('<d', a) == struct.pack('<d', b)
    if isinstance(a, complex):
        return same(a.real, b.real) and same(a.imag, b.imag)
    if isinstance(a, tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, frozenset):
        return sorted(map(repr, a)) == sorted(map(repr, b))
    if hasattr(a, 'co_code'):
        for name in dir(a):
            if not name.startswith('co_') or callable(getattr(a, name)):
                continue
            x, y = getattr(a, name), getattr(b, name)
            if not (same(x, y) if name == 'co_consts' else x == y):
                return False
        return True
    return a == b


ok = bad = 0
for d, dirs, files in os.walk(root):
    for f in files:
        if not (f.endswith('.pyc') or f.endswith('.pyo')):
            continue
        p = os.path.join(d, f)
        if os.path.basename(d) == '__pycache__':
            tag = '.' + sys.implementation.cache_tag + '.'
            src = os.path.join(os.path.dirname(d), f[:f.index(tag)] + '.py')
        else:
            src = p[:-1]
        data = open(p, 'rb').read()
        size = 16 if sys.version_info >= (3, 7) else 12 if sys.version_info >= (3, 3) else 8
        code = marshal.loads(data[size:])
        s = open(src, 'rb').read()
        if sys.version_info[0] == 2:
            s = s.replace(b'\r\n', b'\n').replace(b'\r', b'\n')
            want = compile(s, src, 'exec', 0, True)
        else:
            want = compile(s, src, 'exec', dont_inherit=True)
        # Compare with what an ordinary pyc of the source loads as (2.7
        # joins surrogate pairs through marshal, whatever wrote the pyc),
        # field by field (NaN constants are not equal to themselves).
        want = marshal.loads(marshal.dumps(want))
        if same(code, want):
            ok += 1
        else:
            bad += 1
            sys.stderr.write('  loads differently: %s\n' % p)
print('%d %d' % (ok, bad))
EOF
)
	read -r ok bad <<<"$loaded"
	printf '%-5s %5d pycs: %d differ between the two builds; %d load as compile() gives, %d do not\n' "$xy" "$n" "$differ" "$ok" "$bad"
	if [ "$differ" -ne 0 ] || [ "$bad" -ne 0 ]; then status=1; fi
	clean "$src"
done
exit $status
