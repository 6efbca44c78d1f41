# Records, with its own audit hook, the events it sees, then prints them
# (name and the arguments that are strings or integers) as JSON lines.
import os
import sys

seen = []
recording = [True]


def hook(event, args):
    if recording[0]:
        seen.append((event, [a if isinstance(a, (str, int)) and not isinstance(a, bool) else None for a in args]))


sys.addaudithook(hook)
import json  # noqa: E402  (events of an import, on purpose)
import tempfile  # noqa: E402
d = tempfile.mkdtemp()
with open(os.path.join(d, "f.txt"), "w") as f:
    f.write("x")
os.listdir(d)
os.remove(os.path.join(d, "f.txt"))
os.rmdir(d)
exec(compile("1 + 1", "<dyn>", "eval"))
recording[0] = False
for e, a in seen:
    print(json.dumps([e, a]))
