"""Python 3.12: type parameters, type aliases, PEP 701 f-strings."""


def ident[T](x: T) -> T:
    return x


def bounded[T: int, U: (str, bytes)](a: T, b: U) -> tuple[T, U]:
    return a, b


class Box[T]:
    def get(self) -> T:
        return self.item

    def map[U](self, f: 'Callable[[T], U]') -> 'Box[U]':
        return Box()


class Variadic[*Ts, **P]:
    pass


type Alias = list[int]
type Generic[K, V] = dict[K, V]
type Recursive[T] = T | list[Recursive[T]]

items = {'k': 'v'}
same_quotes = f"{items["k"]}"
nested = f"{f"{f"{1 + 1}"}"}"
backslash = f"{'\n'.join(['a', 'b'])}"
multiline = f"{
    items['k']  # a comment inside
}"


def comprehension_inlined(xs):
    return [x for x in xs], {x: 1 for x in xs}
