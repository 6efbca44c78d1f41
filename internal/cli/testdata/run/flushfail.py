# Leaves output in the buffer for the end: with standard output a pipe
# nobody reads, the final flush fails (exit status 120, a message).
import sys

sys.stdout.write("partial line without newline")
