# Line-number table edge cases and long jumps (2.7 and 3.x). No docstring:
# -O and -OO compile the same code as -O0.

a = 1
b = 2
# a gap of 300 blank lines: line deltas > 127 and > 255












































































































































































































































































































c = 3


def negative_deltas(f, x, y):
    # calls whose argument lines come after the call line
    r = f(
        x,
        y,
    )
    s = f(x,












































































































































































































































































































          y)
    t = (x
         +
         y)
    return (r,
            s,
            t)


def one_long_line(a):
    # one line with > 255 bytes of code and columns > 255
    z = [a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a]
    w = a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b + a.b
    return z, w


def big_jumps(c, d):
    # forward jumps over > 255 bytes (and > 255 instructions)
    if c:
        c = c + 0
        c = c + 1
        c = c + 2
        c = c + 3
        c = c + 4
        c = c + 5
        c = c + 6
        c = c + 7
        c = c + 8
        c = c + 9
        c = c + 10
        c = c + 11
        c = c + 12
        c = c + 13
        c = c + 14
        c = c + 15
        c = c + 16
        c = c + 17
        c = c + 18
        c = c + 19
        c = c + 20
        c = c + 21
        c = c + 22
        c = c + 23
        c = c + 24
        c = c + 25
        c = c + 26
        c = c + 27
        c = c + 28
        c = c + 29
        c = c + 30
        c = c + 31
        c = c + 32
        c = c + 33
        c = c + 34
        c = c + 35
        c = c + 36
        c = c + 37
        c = c + 38
        c = c + 39
        c = c + 40
        c = c + 41
        c = c + 42
        c = c + 43
        c = c + 44
        c = c + 45
        c = c + 46
        c = c + 47
        c = c + 48
        c = c + 49
        c = c + 50
        c = c + 51
        c = c + 52
        c = c + 53
        c = c + 54
        c = c + 55
        c = c + 56
        c = c + 57
        c = c + 58
        c = c + 59
        c = c + 60
        c = c + 61
        c = c + 62
        c = c + 63
        c = c + 64
        c = c + 65
        c = c + 66
        c = c + 67
        c = c + 68
        c = c + 69
        c = c + 70
        c = c + 71
        c = c + 72
        c = c + 73
        c = c + 74
        c = c + 75
        c = c + 76
        c = c + 77
        c = c + 78
        c = c + 79
    else:
        d = d - 1
    # backward jump over > 255 instructions
    while d:
        d = d - 0
        d = d - 1
        d = d - 2
        d = d - 3
        d = d - 4
        d = d - 5
        d = d - 6
        d = d - 7
        d = d - 8
        d = d - 9
        d = d - 10
        d = d - 11
        d = d - 12
        d = d - 13
        d = d - 14
        d = d - 15
        d = d - 16
        d = d - 17
        d = d - 18
        d = d - 19
        d = d - 20
        d = d - 21
        d = d - 22
        d = d - 23
        d = d - 24
        d = d - 25
        d = d - 26
        d = d - 27
        d = d - 28
        d = d - 29
        d = d - 30
        d = d - 31
        d = d - 32
        d = d - 33
        d = d - 34
        d = d - 35
        d = d - 36
        d = d - 37
        d = d - 38
        d = d - 39
        d = d - 40
        d = d - 41
        d = d - 42
        d = d - 43
        d = d - 44
        d = d - 45
        d = d - 46
        d = d - 47
        d = d - 48
        d = d - 49
        d = d - 50
        d = d - 51
        d = d - 52
        d = d - 53
        d = d - 54
        d = d - 55
        d = d - 56
        d = d - 57
        d = d - 58
        d = d - 59
        d = d - 60
        d = d - 61
        d = d - 62
        d = d - 63
        d = d - 64
        d = d - 65
        d = d - 66
        d = d - 67
        d = d - 68
        d = d - 69
        d = d - 70
        d = d - 71
        d = d - 72
        d = d - 73
        d = d - 74
        d = d - 75
        d = d - 76
        d = d - 77
        d = d - 78
        d = d - 79
        if d > 1000:
            break
    # a try block spanning > 255 instructions
    try:
        c = c * 2
        c = c * 3
        c = c * 4
        c = c * 5
        c = c * 6
        c = c * 7
        c = c * 8
        c = c * 9
        c = c * 10
        c = c * 11
        c = c * 12
        c = c * 13
        c = c * 14
        c = c * 15
        c = c * 16
        c = c * 17
        c = c * 18
        c = c * 19
        c = c * 20
        c = c * 21
        c = c * 22
        c = c * 23
        c = c * 24
        c = c * 25
        c = c * 26
        c = c * 27
        c = c * 28
        c = c * 29
        c = c * 30
        c = c * 31
        c = c * 32
        c = c * 33
        c = c * 34
        c = c * 35
        c = c * 36
        c = c * 37
        c = c * 38
        c = c * 39
        c = c * 40
        c = c * 41
        c = c * 42
        c = c * 43
        c = c * 44
        c = c * 45
        c = c * 46
        c = c * 47
        c = c * 48
        c = c * 49
        c = c * 50
        c = c * 51
        c = c * 52
        c = c * 53
        c = c * 54
        c = c * 55
        c = c * 56
        c = c * 57
        c = c * 58
        c = c * 59
        c = c * 60
        c = c * 61
        c = c * 62
        c = c * 63
        c = c * 64
        c = c * 65
        c = c * 66
        c = c * 67
        c = c * 68
        c = c * 69
        c = c * 70
        c = c * 71
        c = c * 72
        c = c * 73
        c = c * 74
        c = c * 75
        c = c * 76
        c = c * 77
        c = c * 78
        c = c * 79
        c = c * 80
        c = c * 81
    except ValueError:
        c = 0
    return c, d


def far_start(x):
    return x


last = [
    1,
    a,
    b,
]
