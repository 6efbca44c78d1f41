# Prints what this CPython 3 interpreter's str.isprintable() says about every
# code point, as ranges of printable code points, for unicodegen.
#
# Output (ASCII):
#   python <major>.<minor>.<micro>
#   implementation <sys.implementation.name>
#   unicode <unicodedata.unidata_version>
#   <lo> <hi>        one line per maximal range of printable code points,
#                    ascending, lower-case hex
import sys
import unicodedata


def main():
    out = [
        "python %d.%d.%d" % tuple(sys.version_info[:3]),
        "implementation %s" % sys.implementation.name,
        "unicode %s" % unicodedata.unidata_version,
    ]
    start = -1
    for c in range(0x110000):
        if chr(c).isprintable():
            if start < 0:
                start = c
        elif start >= 0:
            out.append("%04x %04x" % (start, c - 1))
            start = -1
    if start >= 0:
        out.append("%04x %04x" % (start, 0x10FFFF))
    sys.stdout.write("\n".join(out) + "\n")


main()
