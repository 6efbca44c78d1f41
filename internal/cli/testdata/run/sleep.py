# Says it started (with its pid), sleeps argv[1] seconds, then exits 7.
import os
import sys
import time

sys.stdout.write("started %d\n" % os.getpid())
sys.stdout.flush()
time.sleep(float(sys.argv[1]))
sys.stdout.write("done\n")
sys.exit(7)
