# Shell functions shared by the compile benchmarks; source it after cd to
# the repository root, with $root set to pyenv's root.

# all_versions prints X.Y of every CPython under $root/versions.
all_versions() {
	local d
	for d in "$root"/versions/[23].*; do basename "$d" | cut -d. -f1,2; done
}

# interpreter X.Y prints the newest pyenv interpreter of that version.
interpreter() { ls -d "$root"/versions/"$1".*/bin/python | tail -1; }

# stdlib_copy X.Y DEST copies the interpreter's standard library sources
# (no site-packages, no __pycache__, mtimes kept) to DEST, once.
stdlib_copy() {
	local lib
	lib=$(dirname "$(dirname "$(interpreter "$1")")")/lib/python$1
	if [ ! -d "$2" ]; then
		mkdir -p "$2"
		(cd "$lib" && find . -name __pycache__ -prune -o -path ./site-packages -prune -o -type f -name '*.py' -print |
			tar -cf - -T -) | tar -xf - -C "$2"
	fi
}

# clean DIR removes every pyc and pyo under DIR.
clean() {
	find "$1" -name __pycache__ -prune -exec rm -rf {} +
	find "$1" \( -name '*.pyc' -o -name '*.pyo' \) -delete
}
