"""Python 3.10: structural pattern matching and parenthesized context managers."""
import enum


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Point:
    __match_args__ = ('x', 'y')

    def __init__(self, x, y):
        self.x = x
        self.y = y


def literals(v):
    match v:
        case 0:
            return 'zero'
        case -1:
            return 'minus one'
        case 1.5 | 2j | -3+4j:
            return 'number'
        case 'text' | b'bytes':
            return 'string'
        case None:
            return 'none'
        case True:
            return 'true'
        case _:
            return 'other'


def structures(v):
    match v:
        case []:
            return 'empty'
        case [x]:
            return x
        case [x, y, *rest]:
            return x, y, rest
        case (a, b, *_, c):
            return a, b, c
        case {'k': k, 'v': [_, second], **others}:
            return k, second, others
        case {1: _, 'x': 2}:
            return 'mapping'
        case Point(x=0, y=0):
            return 'origin'
        case Point(x, y=py) if x == py:
            return 'diagonal'
        case Point(0 | 1 as px, _):
            return px
        case Color.RED:
            return 'red'
        case str() | bytes() as s:
            return s
        case int(n) if n > 100:
            return n
        case [Point(x=0), (1 | 2) as two, {**kw}]:
            return two, kw
        case x:
            return x


def contexts(a, b):
    with (
        open(a) as f,
        open(b) as g,
    ):
        return f, g
    with (open(a), open(b)):
        pass
