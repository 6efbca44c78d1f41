# Functions, closures, generators, classes and control flow (2.7 and 3.x).
# No docstrings or assert statements (see optimize.py): -O and -OO change
# nothing here.
import os
import sys as system
from os import path as ospath, sep


def plain(a, b=2, *args, **kwargs):
    return a + b + len(args) + len(kwargs)


def no_docstring(a):
    return -a


def outer(x):
    y = x + 1

    def inner(z):
        return x + y + z
    return inner


def counter():
    count = [0]

    def inc(step=1):
        count[0] += step
        return count[0]
    return inc


def deep_closure(a):
    def l1(b):
        def l2(c):
            def l3(d):
                return a + b + c + d
            return l3
        return l2
    return l1


def cell_and_arg(a, b):
    # an argument that is also a cell variable
    def f():
        return a
    return f, b


square = lambda n: n * n
adder = lambda a, b=1: a + b
nested_lambda = lambda a: lambda b: a + b


def gen(n):
    for i in range(n):
        yield i
    x = yield
    yield x


def genexp(xs):
    return sum(x * x for x in xs if x % 2)


def loops(seq):
    total = 0
    for item in seq:
        if item < 0:
            continue
        if item > 100:
            break
        total += item
    else:
        total = -1
    i = 0
    while i < 10:
        i += 1
        if i == 5:
            continue
        if i == 8:
            break
    else:
        total = -2
    while True:
        i -= 1
        if not i:
            break
    for a, (b, c) in seq:
        for d in a:
            if d:
                break
        else:
            continue
        break
    return total


def exceptions(f):
    try:
        f()
    except ValueError:
        return 1
    except (TypeError, KeyError) as e:
        return e
    except Exception:
        raise
    else:
        return 2
    finally:
        f = None


def nested_try(f):
    try:
        try:
            f()
        finally:
            f = 1
    except:
        pass
    try:
        for i in f:
            try:
                continue
            finally:
                i = 0
    finally:
        return f


def raising(x):
    if x:
        raise ValueError("x")
    raise


def withs(p):
    with open(p) as f:
        data = f.read()
    with open(p) as a, open(p) as b:
        data = a.read() + b.read()
    with open(p):
        pass
    return data


def comprehensions(xs):
    a = [x * 2 for x in xs if x]
    b = set(x for x in xs)
    c = {x for x in xs}
    d = dict((x, x) for x in xs)
    e = {x: x for x in xs}
    f = [(x, y) for x in xs for y in xs if x != y]
    g = [[y for y in range(x)] for x in xs]
    return a, b, c, d, e, f, g


def decorator(fn):
    return fn


def decorator_factory(arg):
    return decorator


@decorator
def decorated():
    pass


@decorator
@decorator_factory(1)
def twice_decorated(a):
    return a


class Base(object):
    attr = 1

    def method(self):
        return self.attr

    @staticmethod
    def smethod():
        return 2

    @classmethod
    def cmethod(cls):
        return cls

    @property
    def prop(self):
        return 3


@decorator
class Derived(Base):
    def method(self):
        return super(Derived, self).method() + 1

    class Inner:
        def deep(self):
            return Derived

    def closure_in_method(self):
        return lambda: self


class Empty:
    pass


def uses_global():
    global counter_value
    counter_value = 1
    return counter_value


def calls(f, a, kw):
    f()
    f(1, 2)
    f(a=1)
    f(1, b=2)
    f(*a)
    f(**kw)
    f(1, *a, **kw)
    a.b.c(1)
    return f(f(f()))


def operators(a, b):
    r = (a + b, a - b, a * b, a / b, a // b, a % b, a ** b, a << b,
         a >> b, a & b, a | b, a ^ b, -a, +a, ~a, not a)
    r = (a < b, a <= b, a == b, a != b, a > b, a >= b, a is b,
         a is not b, a in b, a not in b)
    a += b
    a -= b
    a *= b
    a /= b
    a //= b
    a %= b
    a **= b
    a <<= b
    a >>= b
    a &= b
    a |= b
    a ^= b
    return r, a and b, a or b, a if b else None, 1 < a < b


def subscripts(a):
    x = a[0]
    y = a[1:2]
    z = a[1:2:3]
    w = a[:]
    v = a[::-1]
    a[0] = 1
    a[1:2] = [3]
    del a[0]
    del a[1:2]
    a.attr = 1
    del a.attr
    return x, y, z, w, v, a[0, 1], a.attr.attr


def unpacking(t):
    a, (b, c), d = t
    x = y = z = 0
    a, b = b, a
    a, b, c = c, b, a
    [e, f] = t
    return a, b, c, d, x, y, z, e, f


def containers(a):
    return [], [a], [a, 1], {}, {a: 1}, {1: a, 2: 2}, {a}, {a, 1}, (a,), (a, 1)


def imports():
    import os.path
    import os.path as p
    from os import sep, path as q
    return os, p, sep, q
