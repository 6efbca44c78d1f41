"""Python 3.13: type parameter defaults (PEP 696)."""


def f[T = int](x: T) -> T:
    return x


class C[T = str, *Ts = *tuple[int], **P = [int, str]]:
    pass


type A[T = bytes] = list[T]
