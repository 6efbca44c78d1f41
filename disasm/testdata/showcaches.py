# Prints dis.dis(code, show_caches=True) for each pyc named on the command
# line (3.11+), with object addresses replaced by "0x?", one block per file
# after a line "==> FILE <==".
import dis, io, marshal, re, sys

for p in sys.argv[1:]:
    with open(p, "rb") as f:
        f.seek(16)
        co = marshal.load(f)
    buf = io.StringIO()
    dis.dis(co, file=buf, show_caches=True)
    print("==> %s <==" % p)
    sys.stdout.write(re.sub(r" at 0x[0-9a-fA-F]+", " at 0x?", buf.getvalue()))
