"""Python 3 syntax (3.0 to 3.5): valid in every 3.x this repository supports."""
from __future__ import generator_stop

ellipsis = ...
bytes_value = b'\x00\xff'
text_value = 'caf\xe9'
café = 'non-ASCII identifier'
größe = café + 'ß'


def kwonly(a, b=1, *args, c, d=4, **kwargs):
    """kw-only arguments"""
    return a, b, args, c, d, kwargs


def kwonly_bare(a, *, key=None, flag):
    return a, key, flag


def annotated(a: int, b: 'str' = 'x', *args: tuple, c: float = 1.0, **kw: dict) -> list:
    return [a, b, args, c, kw]


def nonlocals():
    x = 0

    def inc():
        nonlocal x
        x += 1
        return x

    def reader():
        return x
    return inc, reader


def delegating(it):
    r = yield from it
    return r


def starred(seq):
    first, *rest = seq
    *init, last = seq
    a, *b, c = seq
    return [*seq, *rest], (*init, last), {*seq}, first, b


def unpacking_generalizations(f, a, b, k1, k2):
    f(*a, *b)
    f(**k1, **k2)
    f(1, *a, 2, *b, x=1, **k1)
    return {**k1, 'x': 1, **k2}


def chained(e):
    try:
        raise ValueError('a') from e
    except ValueError as err:
        raise TypeError('b') from None


def matmul(a, b):
    a @= b
    return a @ b


class Meta(type):
    pass


class WithMeta(object, metaclass=Meta, extra=1):
    def method(self):
        return super().method()

    def uses_class(self):
        return __class__


class Plain:
    attr: int = 3

    def __init__(self):
        self.x = 1


def exception_scope():
    try:
        pass
    except Exception as e:
        del_me = e
    return del_me


async def coroutine(a, lock, stream):
    await a
    x = await a
    async with lock:
        pass
    async with lock as l, lock as m:
        x = l, m
    async for item in stream:
        if item:
            continue
        break
    else:
        x = None
    return x


def dict_views(d):
    return {k: v for k, v in d.items()}, [k for k in d.keys()]
