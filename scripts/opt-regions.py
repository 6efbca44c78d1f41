# Print, as JSON, the source line ranges of every .py file under a directory
# that python -O and -OO are allowed to change: assert statements, `if
# __debug__:` statements and other uses of __debug__ (-O), and docstrings
# (-OO). Where an assert can never pass (`assert False`, `assert 0`) or an
# `if` on __debug__ leaves its block (`if not __debug__: return`), the code
# after it is dead in one build and not in the other: the range then runs
# to the end of the enclosing statement. The stdlib sweep in diff/stdlib_test.go checks that the
# differences `pyc diff` finds between a tree's -O and plain pycs all lie in
# these ranges.
#
#   python scripts/opt-regions.py LIBDIR [FILE...] > regions.json
#
# With FILEs (paths relative to LIBDIR) only those are read.
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
    # Before 3.8 a multi-line string's lineno is where it ends (and where
    # it starts is that many newlines above, see first_line), so the
    # largest lineno below the node is its last line.
    end = getattr(node, "lineno", 0)
    for child in ast.walk(node):
        end = max(end, getattr(child, "lineno", 0))
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


def is_false(node):
    """Whether an expression is a constant that is false."""
    if sys.version_info >= (3, 8):
        return isinstance(node, ast.Constant) and not node.value
    if isinstance(node, ast.Num):
        return not node.n
    if hasattr(ast, "NameConstant") and isinstance(node, ast.NameConstant):
        return not node.value
    return isinstance(node, ast.Name) and node.id == "False"


def leaves(stmts):
    """Whether a block ends by leaving it (return, raise, break, continue)."""
    return bool(stmts) and isinstance(stmts[-1], (ast.Return, ast.Raise, ast.Break, ast.Continue))


def regions(tree):
    debug, doc = [], []
    # Walk the tree keeping each node's parent.
    stack = [(tree, None)]
    while stack:
        node, parent = stack.pop()
        for child in ast.iter_child_nodes(node):
            stack.append((child, node))
        if isinstance(node, ast.Assert):
            end = last_line(node)
            if is_false(node.test):
                end = last_line(parent) if hasattr(parent, "lineno") else 1 << 30
            debug.append([first_line(node), end])
        elif isinstance(node, ast.If) and any(is_debug(n) for n in ast.walk(node.test)):
            end = last_line(node)
            if leaves(node.body) or leaves(node.orelse):
                end = last_line(parent) if hasattr(parent, "lineno") else 1 << 30
            debug.append([first_line(node), end])
        elif is_debug(node):
            debug.append([node.lineno, node.lineno])
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and string_value(body[0].value) is not None \
                and isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, getattr(ast, "AsyncFunctionDef", ast.FunctionDef))):
            doc.append([first_line(body[0]), last_line(body[0])])
    return {"debug": debug, "doc": doc}


def main():
    root = sys.argv[1]
    names = sys.argv[2:]
    if not names:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in filenames:
                if name.endswith(".py"):
                    names.append(os.path.relpath(os.path.join(dirpath, name), root))
    out = {}
    for rel in sorted(names):
        try:
            with open(os.path.join(root, rel), "rb") as f:
                source = f.read()
            tree = ast.parse(source, rel)
        except Exception:
            continue
        out[rel] = regions(tree)
    json.dump(out, sys.stdout, sort_keys=True)


if __name__ == "__main__":
    main()
