"""Python 2 only syntax."""
import sys

print "hello", 1
print >>sys.stderr, "to stderr",
print

l0 = 0L
l1 = 1L
lm1 = -1L
l_big = 123456789012345678901234567890L
l_neg = -123456789012345678901234567890L
i_big = 9223372036854775807
i_bigger = 9223372036854775808
octal = 0777
u1 = u'unicode'
u2 = ur'raw\n \u20ac'
b1 = 'bytes'
b2 = r'raw\n'
uni_esc = u'\u20ac\U0001f600\xff'
backticks = `l1`
ne = 1 <> 2
exec "x = 1"
exec "y = 2" in {}
exec "z = 3" in {}, {}


def tuple_params(a, (b, c), (d, (e, f))=(1, (2, 3))):
    return a + b + c + d + e + f


lam = lambda (x, y): x + y


def old_except(f):
    try:
        f()
    except ValueError, e:
        return e
    except (TypeError, KeyError), (a, b):
        return a


def old_raise(x):
    if x:
        raise ValueError, "x"
    raise ValueError, "y", None


def unqualified_exec(s):
    exec s
    return locals()


def print_to(f):
    print >>f, "a", "b"
    print >>f
    print "x" % (), ; print


class Classic:
    def m(self):
        return `self`
