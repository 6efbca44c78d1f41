# Prints the environment, in order, and the C environment's view of it.
import os
import sys

sys.stdout.write("environ=%r\n" % (list(os.environ.items()),))
sys.stdout.write("getenv=%r\n" % (os.getenv("PYC_TEST_VAR"),))
