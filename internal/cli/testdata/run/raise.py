# Dies of an uncaught exception: the traceback must look as it does when
# the interpreter runs the pyc itself.
def inner(n):
    return 10 // n


def outer():
    return inner(0)


print("before")
outer()
