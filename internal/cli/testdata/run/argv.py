# Prints what a program sees of how it was started; exits with argv[1].
import os
import sys

w = sys.stdout.write
w("argv=%r\n" % (sys.argv,))
w("path0=%r\n" % (sys.path[0],))
w("file=%r name=%r\n" % (__file__, __name__))
w("globals=%r\n" % (sorted(k for k in globals().keys() if k.startswith("__")),))
w("loader=%s\n" % (type(globals().get("__loader__")).__name__,))
w("orig_argv=%r\n" % (getattr(sys, "orig_argv", None),))
w("cwd=%r\n" % (os.getcwd(),))
w("env=%r\n" % (os.environ.get("PYC_TEST_VAR"),))
w("stdin=%r\n" % (sys.stdin.read(),))
sys.stdout.flush()
sys.stderr.write("to stderr\n")
sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)
