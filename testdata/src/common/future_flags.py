"""__future__ imports set co_flags bits (2.7)."""
from __future__ import absolute_import, division, print_function
from __future__ import unicode_literals, with_statement, generators, nested_scopes

s = 'now unicode'
b = b'still bytes'
q = 1 / 2


def f():
    print('function', s, end='')
    return 7 / 2
