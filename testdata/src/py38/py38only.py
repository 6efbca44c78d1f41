"""Python 3.8 syntax: walrus, positional-only parameters, f-string '='."""


def walrus(data):
    if (n := len(data)) > 10:
        return n
    while (chunk := data.pop()) is not None:
        pass
    return [y for x in data if (y := x * 2)], y


def posonly(a, b, /, c, d=4, *, e, f=6):
    return a, b, c, d, e, f


def posonly_defaults(a=1, b=2, /, **kw):
    return a, b, kw


lam = lambda x, /, y: x + y
value = 42
debug = f'{value=} {value = !r} {value=:>8}'


def continue_in_finally(items):
    for i in items:
        try:
            pass
        finally:
            continue
    return i


def star_return(a, b):
    return *a, *b
