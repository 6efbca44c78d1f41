"""Python 3.11: exception groups and except*."""


def handler(f):
    try:
        f()
    except* ValueError as eg:
        seen = eg
    except* (TypeError, KeyError):
        pass
    else:
        return 1
    finally:
        f = None
    return seen


def raise_group():
    raise ExceptionGroup('many', [ValueError(1), TypeError(2)])


def nested_groups(f):
    try:
        try:
            f()
        except* OSError as e:
            raise e.exceptions[0]
    except* Exception:
        raise


def star_index(a, b):
    return a[*b], a[1, *b]
