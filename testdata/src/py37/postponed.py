"""from __future__ import annotations (3.7+): annotations become strings."""
from __future__ import annotations


def f(a: List[int], b: Dict[str, 'X'] = None) -> Optional[int]:
    return a


class C:
    field: ClassVar[int] = 1
    other: Tuple[int, ...]

    def m(self, x: C) -> C:
        y: C = x
        return y
