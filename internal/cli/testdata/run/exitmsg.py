import sys

print("out")
sys.exit("bye: not an integer")
