"""Python 3.6 syntax: f-strings, async generators, variable annotations."""
import asyncio

module_level: int = 1
unassigned: str
big = 1_000_000
hexbig = 0x_ff_ff
floaty = 1_000.000_1

name = 'world'
width = 10
f_plain = f'hello {name}'
f_conv = f'{name!r} {name!s} {name!a}'
f_spec = f'{width:>10} {width:{width}} {3.14159:.2f} {name:{"<"}{width}}'
f_nested = f'{f"{name}"}'
f_expr = f'{width + 1} {[x for x in range(3)]} {{literal}}'
f_multi = f'''{
    name
}'''
f_only = f'{name}'
f_empty = f''
f_bytes_mix = f'{name}' 'plain' f'{width}'


async def agen(n):
    for i in range(n):
        yield i
        await asyncio.sleep(0)


async def acomp(stream):
    a = [x async for x in stream]
    b = {x async for x in stream if x}
    c = {x: x async for x in stream}
    d = [await x for x in stream]
    e = (x async for x in stream)
    return a, b, c, d, e


class Annotated:
    x: int
    y: str = 'y'
    z: 'forward' = None

    def method(self):
        self.attr: int = 5
        local: float = 1.0
        return local


def uses_annotation():
    v: int = 1
    w: list
    return v
