"""Module docstring: -OO drops it (and every other docstring below)."""
import sys


def documented(a, b=2):
    """Function docstring."""
    assert a, "a must be true"
    assert b
    if __debug__:
        a = a + 1
    return a + b


def not_a_docstring(a):
    x = "a string that is not the first statement"
    return x


def number_first():
    1
    """Not a docstring: not the first statement."""


class Documented(object):
    """Class docstring."""

    def method(self):
        """Method docstring."""
        assert self, "self"
        return self

    def only_docstring(self):
        """Only a docstring."""

    lam = lambda self: None


def asserts_only(x):
    assert x
    assert x > 0, ("message", x)
    assert isinstance(x, int), "%s is not an int" % (x,)


debug_flag = __debug__
if not __debug__:
    sys.exit(0)
