"""Python 3.9 syntax: relaxed decorator grammar."""
buttons = [lambda f: f]
registry = {'deco': lambda f: f}


@buttons[0]
def first():
    pass


@registry['deco']
def second():
    pass


@(lambda f: f)
def third():
    pass


@buttons[0] if buttons else None
def fourth():
    pass
