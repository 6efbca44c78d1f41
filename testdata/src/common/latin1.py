# -*- coding: latin-1 -*-
"""Source in Latin-1: the compiler decodes the bytes with the cookie."""
s = u"café © ÿ"
t = "à la carte"
