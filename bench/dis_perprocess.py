"""CPU time of disassembling files one process per file, for pycdas
(which takes one file per run) and pyc dis, alternating rounds.

CPU time (getrusage of the children) rather than wall-clock time: on a
shared machine the load distorts the latter far more.

Usage: python3 bench/dis_perprocess.py PYCDAS PYC LIST [ROUNDS]
LIST is a file naming one pyc per line.
"""
import resource
import subprocess
import sys


def run(cmd, files):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    for f in files:
        subprocess.run(cmd + [f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def main():
    pycdas, pyc, listing = sys.argv[1:4]
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    files = [l.strip() for l in open(listing) if l.strip()]
    print("files: %d, rounds: %d" % (len(files), rounds))
    for _ in range(rounds):
        for name, cmd in (("pycdas", [pycdas]), ("pyc dis", [pyc, "dis"])):
            print("%-8s CPU %.2f s" % (name, run(cmd, files)))


main()
