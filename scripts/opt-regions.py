# Print, as JSON, the source line ranges of every .py file under a directory
# that python -O and -OO are allowed to change: assert statements, `if
# __debug__:` statements and other uses of __debug__ (-O), and docstrings
# (-OO). The stdlib sweep in diff/stdlib_test.go checks that the
# differences `pyc diff` finds between a tree's -O and plain pycs all lie in
# these ranges.
#
#   python scripts/opt-regions.py LIBDIR > regions.json
#
# Output: {"relative/path.py": {"debug": [[first, last], ...],
#                                "doc": [[first, last], ...]}, ...}
# Runs under Python 2.7 and 3.6+; files that do not parse are left out.
import ast
import json
import os
import sys


def last_line(node):
    """The last source line of a node (end_lineno where the version has it)."""
    end = getattr(node, "end_lineno", None)
    if end is not None:
        return end
    end = getattr(node, "lineno", 0)
    for child in ast.walk(node):
        line = getattr(child, "lineno", 0)
        text = string_value(child)
        if text is not None:
            # Before 3.8 a string's lineno is where it ends; where it
            # starts is that many newlines above.
            line += text.count("\n")
        end = max(end, line)
    return end


def first_line(node):
    start = node.lineno
    for child in ast.walk(node):
        text = string_value(child)
        if text is not None and getattr(child, "end_lineno", None) is None:
            start = min(start, child.lineno - text.count("\n"))
    return start


def string_value(node):
    if sys.version_info >= (3, 8):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        return None
    if isinstance(node, ast.Str):
        return node.s
    return None


def is_debug(node):
    return isinstance(node, ast.Name) and node.id == "__debug__"


def regions(tree):
    debug, doc = [], []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            debug.append([first_line(node), last_line(node)])
        elif isinstance(node, ast.If) and any(is_debug(n) for n in ast.walk(node.test)):
            debug.append([first_line(node), last_line(node)])
        elif is_debug(node):
            debug.append([node.lineno, node.lineno])
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and string_value(body[0].value) is not None \
                and not isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.Try if hasattr(ast, "Try") else ast.TryExcept)):
            doc.append([first_line(body[0]), last_line(body[0])])
    return {"debug": debug, "doc": doc}


def main():
    root = sys.argv[1]
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(".py"):
                continue
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as f:
                    source = f.read()
                tree = ast.parse(source, path)
            except Exception:
                continue
            out[os.path.relpath(path, root)] = regions(tree)
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
