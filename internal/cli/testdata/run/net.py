# Opens a socket (and would connect).
import socket

print("before")
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.connect(("127.0.0.1", 9))
except OSError as e:
    print("connect failed: %s" % e.__class__.__name__)
print("after")
