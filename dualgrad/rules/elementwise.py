"""Elementwise primitives: arithmetic, exp/log, trigonometric, hyperbolic, ...

Binary rules get their arguments after numpy broadcasting, so every VJP sums
its cotangent back to its input's shape (``unbroadcast``).
"""
from __future__ import annotations

import functools
import operator

import numpy as onp

from ..core import PLAIN_FLOATS, Primitive, Tracer, notrace_primitive, peek
from ._helpers import as_array, elementwise, exact_constant, holds_mp, unbroadcast
from .complex import absolute, conj, real, sign


def binary(fun, name=None) -> Primitive:
    prim = Primitive(fun, name or fun.__name__)
    prim.broadcasts = True  # a scalar answer means scalar arguments (dualgrad.core.residuals)
    return prim


# ---------------------------------------------------------------- arithmetic
# z = x + y     JVP: dx + dy      VJP: g, g
add = binary(onp.add)
add.def_jvp(lambda t, ans, x, y: broadcast_like(t, ans), argnum=0)
add.def_jvp(lambda t, ans, x, y: broadcast_like(t, ans), argnum=1)
add.def_vjp(lambda g, ans, x, y: unbroadcast(g, x), argnum=0, reads=())
add.def_vjp(lambda g, ans, x, y: unbroadcast(g, y), argnum=1, reads=())

# z = x - y     JVP: dx - dy      VJP: g, -g
subtract = binary(onp.subtract)
subtract.def_jvp(lambda t, ans, x, y: broadcast_like(t, ans), argnum=0)
subtract.def_jvp(lambda t, ans, x, y: broadcast_like(-t, ans), argnum=1)
subtract.def_vjp(lambda g, ans, x, y: unbroadcast(g, x), argnum=0, reads=())
subtract.def_vjp(lambda g, ans, x, y: unbroadcast(-g, y), argnum=1, reads=())

# z = x * y     JVP: dx y + x dy  VJP: g y, g x
multiply = binary(onp.multiply)
multiply.def_jvp(lambda t, ans, x, y: t * y, argnum=0)
multiply.def_jvp(lambda t, ans, x, y: x * t, argnum=1)
multiply.def_vjp(lambda g, ans, x, y: unbroadcast(g * y, x), argnum=0, reads="y")
multiply.def_vjp(lambda g, ans, x, y: unbroadcast(g * x, y), argnum=1, reads="x")

# z = x / y     JVP: dx / y - dy z / y     VJP: g / y, -g z / y
divide = binary(onp.divide, "divide")
divide.def_jvp(lambda t, ans, x, y: t / y, argnum=0)
divide.def_jvp(lambda t, ans, x, y: -t * ans / y, argnum=1)
divide.def_vjp(lambda g, ans, x, y: unbroadcast(g / y, x), argnum=0, reads="y")
divide.def_vjp(lambda g, ans, x, y: unbroadcast(-g * ans / y, y), argnum=1, reads="ans y")
true_divide = divide

# On a numpy float64 scalar and a float, numpy's scalar arithmetic gives the ufunc's
# answer (IEEE operations, numpy's error state) without the ufunc's dispatch.
for _p, _op in [(add, operator.add), (subtract, operator.sub), (multiply, operator.mul),
                (divide, operator.truediv)]:
    _p.scalar = _op

# z = -x        linear
negative = binary(onp.negative)
negative.def_jvp(lambda t, ans, x: -t)
negative.def_vjp(lambda g, ans, x: -g, reads=())


# z = x ** y
#   JVP: y x^(y-1) dx + log(x) z dy        VJP: g y x^(y-1),  g log(x) z
# At x = 0, y = 0 the first term is 0 * 0^-1: we read it as its limit 0 by using
# base 1 there (only there, so d/dy of y x^(y-1) stays exact elsewhere); log(x)
# is taken as log(1) where x == 0 (then z = 0 for y > 0 anyway).
def _power_dx(x, y):
    if type(y) in (int, float) and y != 0:  # a constant exponent: no 0^0 case, no masks
        return 2 * x if y == 2 else y * x ** (y - 1)
    return y * where(_both_zero(x, y), 1.0, x) ** (y - 1)


# The masks below read primal values; each is one elementwise call, so the batching
# level computes it for all examples at once (vmap of a ReLU network stays one pass).
@functools.partial(notrace_primitive, elementwise=True)
def _both_zero(x, y):
    return (x == 0) & (y == 0)


def _power_dy(x, ans):
    base = where(x == 0, 1.0, x)
    if holds_mp(ans) and not holds_mp(base):  # a float base, an mpmath exponent
        base = base * exact_constant(1.0, lambda m: m.mpf(1), ans)
    if onp.iscomplexobj(peek(ans)) and not onp.iscomplexobj(peek(base)):
        # a real base with a complex power: numpy computes x**y = exp(y log x) with
        # the principal complex log (log|x| + i pi for x < 0), so d/dy uses it too.
        base = base + 0j
    return log(base) * ans


power = binary(onp.power)
power.def_jvp(lambda t, ans, x, y: t * _power_dx(x, y), argnum=0)
power.def_jvp(lambda t, ans, x, y: t * _power_dy(x, ans), argnum=1)
power.def_vjp(lambda g, ans, x, y: unbroadcast(g * _power_dx(x, y), x), argnum=0, reads="x y")
power.def_vjp(lambda g, ans, x, y: unbroadcast(g * _power_dy(x, ans), y), argnum=1, reads="x ans")


def broadcast_like(t, ans):
    """A tangent broadcast to the answer's shape (needed when the other operand
    of a sum was the one that set the shape)."""
    if type(ans) in _SCALARS and type(t) in _SCALARS:  # fast paths: both scalars, or
        return t  # arrays of one shape and dtype
    if t.__class__ is onp.ndarray and ans.__class__ is onp.ndarray and (
            t.shape == ans.shape and t.dtype == ans.dtype):
        return t
    from ._helpers import astype, broadcast_to
    av, tv = peek(ans), peek(t)  # dtypes and shapes
    if onp.iscomplexobj(av) and not onp.iscomplexobj(tv):
        # a real operand's tangent of a complex answer (x + 1j): complex, like the
        # answer, so forward mode gives the same dtype as reverse mode
        dt = onp.result_type(av)
        t = astype(t, dtype=dt) if isinstance(t, (onp.ndarray, Tracer)) else dt.type(t)
    shape = onp.shape(av)
    return t if onp.shape(peek(t)) == shape else broadcast_to(t, shape=shape)


_SCALARS = PLAIN_FLOATS


# ---------------------------------------------------------- selection, masks
# where(c, x, y): c is a mask (no derivative).  JVP: where(c, dx, 0)   VJP: where(c, g, 0)
def _where(c, x, y):
    return onp.where(c, x, y)


where = Primitive(_where, "where")
where.def_jvp(lambda t, ans, c, x, y: _where_pick(c, t, 0.0, ans), argnum=1)
where.def_jvp(lambda t, ans, c, x, y: _where_pick(c, 0.0, t, ans), argnum=2)
where.def_vjp(lambda g, ans, c, x, y: unbroadcast(where(c, g, 0.0), x), argnum=1, reads="c")
where.def_vjp(lambda g, ans, c, x, y: unbroadcast(where(c, 0.0, g), y), argnum=2, reads="c")


def _where_pick(c, a, b, ans):
    return broadcast_like(where(c, a, b), ans)


# max/min of two arrays: the gradient goes to the larger (smaller) one and is
# split evenly at ties, as autograd does.
#   JVP: dx [x wins] + dy [y wins];  VJP: g [x wins], g [y wins]
@functools.partial(notrace_primitive, elementwise=True)
def _share(x, y, ans):
    return _like((x == ans) / (1.0 + (x == y)), ans)


def _like(mask, ans):
    """A constant factor in ``ans``'s float dtype (so float32 tangents stay float32)."""
    dt = onp.result_type(ans)
    if dt.kind != "f":
        return mask
    # a 0-d mask is a numpy float64 scalar, which would promote a float32 tangent
    return mask.astype(dt) if onp.ndim(mask) else dt.type(mask)


@functools.partial(notrace_primitive, elementwise=True)
def _share16(x, y, ans):
    """``_share(x, y, ans)`` as float16, which holds {0, 1/2, 1} exactly: the tape
    keeps 2 bytes an element where it would keep x, y and the answer (24 for
    float64), and ``g * share`` is computed in g's dtype. Built in float16 from the
    start, so the forward pass makes no float64 temporaries for it."""
    if type(ans) is not onp.ndarray or ans.ndim == 0:
        return _like((x == ans) / (1.0 + (x == y)), ans)
    share = onp.equal(x, ans).astype(onp.float16)
    onp.multiply(share, 0.5, out=share, where=onp.broadcast_to(onp.equal(x, y), share.shape))
    return share


def _def_select2(prim):
    prim.def_jvp(lambda t, ans, x, y: t * _share(x, y, ans), argnum=0)
    prim.def_jvp(lambda t, ans, x, y: t * _share(y, x, ans), argnum=1)
    # VJP: the share is computed on the forward pass (relu = maximum(x, 0) keeps a mask)
    prim.def_vjp(lambda g, ans, x, y, *, share: unbroadcast(g * share, x), argnum=0, reads=(),
                 saves={"share": lambda ans, x, y: _share16(x, y, ans)})
    prim.def_vjp(lambda g, ans, x, y, *, share: unbroadcast(g * share, y), argnum=1, reads=(),
                 saves={"share": lambda ans, x, y: _share16(y, x, ans)})
    return prim


maximum = _def_select2(binary(onp.maximum))
minimum = _def_select2(binary(onp.minimum))
fmax = _def_select2(binary(onp.fmax))
fmin = _def_select2(binary(onp.fmin))


# clip(x, lo, hi) = min(max(x, lo), hi)   (numpy's definition, also when lo > hi: then hi)
#   JVP: dx [lo <= x <= hi] + dlo [x < lo <= hi] + dhi [max(x, lo) > hi]
def _clip(x, lo, hi):
    return onp.clip(x, lo, hi)


@functools.partial(notrace_primitive, elementwise=True)
def _between(x, lo, hi):
    inside = onp.ones_like(x, dtype=bool)  # out of place: x may be a lazy (dask) array
    if lo is not None:
        inside = inside & (x >= lo)
    if hi is not None:
        inside = inside & (x <= hi)
    return inside


@functools.partial(notrace_primitive, elementwise=True)
def _below(x, lo, hi):
    below = x < lo
    if hi is not None:  # lo > hi: the result is hi, not lo
        below = below & (lo <= hi)
    return as_array(below)


@functools.partial(notrace_primitive, elementwise=True)
def _above(x, lo, hi):
    m = x if lo is None else onp.maximum(x, lo)
    return as_array(m > hi)


clip = Primitive(_clip, "clip")
clip.def_jvp(lambda t, ans, x, lo, hi: broadcast_like(t * _between(x, lo, hi), ans), argnum=0)
clip.def_jvp(lambda t, ans, x, lo, hi: broadcast_like(t * _below(x, lo, hi), ans), argnum=1)
clip.def_jvp(lambda t, ans, x, lo, hi: broadcast_like(t * _above(x, lo, hi), ans), argnum=2)
clip.def_vjp(lambda g, ans, x, lo, hi, *, inside: unbroadcast(g * inside, x), argnum=0,
             reads=(), saves={"inside": lambda ans, x, lo, hi: _between(x, lo, hi)})
clip.def_vjp(lambda g, ans, x, lo, hi: unbroadcast(g * _below(x, lo, hi), lo),
             argnum=1, reads="x lo hi")
clip.def_vjp(lambda g, ans, x, lo, hi: unbroadcast(g * _above(x, lo, hi), hi),
             argnum=2, reads="x lo hi")


# ------------------------------------------------------ two-argument functions
# z = hypot(x, y) = sqrt(x^2 + y^2)     dz = (x dx + y dy) / z
hypot = binary(onp.hypot)
hypot.def_jvp(lambda t, ans, x, y: t * x / ans, argnum=0)
hypot.def_jvp(lambda t, ans, x, y: t * y / ans, argnum=1)
hypot.def_vjp(lambda g, ans, x, y: unbroadcast(g * x / ans, x), argnum=0, reads="x ans")
hypot.def_vjp(lambda g, ans, x, y: unbroadcast(g * y / ans, y), argnum=1, reads="y ans")

# z = arctan2(y, x)     dz = (x dy - y dx) / (x^2 + y^2)    (argument order: y first)
arctan2 = binary(onp.arctan2)
arctan2.def_jvp(lambda t, ans, y, x: t * x / (x ** 2 + y ** 2), argnum=0)
arctan2.def_jvp(lambda t, ans, y, x: -t * y / (x ** 2 + y ** 2), argnum=1)
arctan2.def_vjp(lambda g, ans, y, x: unbroadcast(g * x / (x ** 2 + y ** 2), y),
                argnum=0, reads="y x")
arctan2.def_vjp(lambda g, ans, y, x: unbroadcast(-g * y / (x ** 2 + y ** 2), x),
                argnum=1, reads="y x")

# z = log(e^x + e^y)    dz = e^(x-z) dx + e^(y-z) dy
logaddexp = binary(onp.logaddexp)
logaddexp.def_jvp(lambda t, ans, x, y: t * exp(x - ans), argnum=0)
logaddexp.def_jvp(lambda t, ans, x, y: t * exp(y - ans), argnum=1)
logaddexp.def_vjp(lambda g, ans, x, y: unbroadcast(g * exp(x - ans), x), argnum=0, reads="x ans")
logaddexp.def_vjp(lambda g, ans, x, y: unbroadcast(g * exp(y - ans), y), argnum=1, reads="y ans")

# z = log2(2^x + 2^y)   dz = 2^(x-z) dx + 2^(y-z) dy
logaddexp2 = binary(onp.logaddexp2)
logaddexp2.def_jvp(lambda t, ans, x, y: t * exp2(x - ans), argnum=0)
logaddexp2.def_jvp(lambda t, ans, x, y: t * exp2(y - ans), argnum=1)
logaddexp2.def_vjp(lambda g, ans, x, y: unbroadcast(g * exp2(x - ans), x), argnum=0, reads="x ans")
logaddexp2.def_vjp(lambda g, ans, x, y: unbroadcast(g * exp2(y - ans), y), argnum=1, reads="y ans")


# ------------------------------------------------------------- unary, by f'(x)
_LN2, _LN10 = float(onp.log(2.0)), float(onp.log(10.0))  # Python floats: keep float32

#                       numpy fn         f'(x), of x or of out = f(x): what the tape keeps
exp = elementwise(onp.exp, lambda out: out)
expm1 = elementwise(onp.expm1, lambda out: out + 1)
exp2 = elementwise(onp.exp2, lambda out: out * exact_constant(_LN2, lambda m: m.ln2, out))
log = elementwise(onp.log, lambda x: 1 / x)                       # x > 0
log1p = elementwise(onp.log1p, lambda x: 1 / (1 + x))             # x > -1
log2 = elementwise(onp.log2, lambda x: 1 / (x * exact_constant(_LN2, lambda m: m.ln2, x)))
log10 = elementwise(onp.log10, lambda x: 1 / (x * exact_constant(_LN10, lambda m: m.ln10, x)))
sqrt = elementwise(onp.sqrt, lambda x, out: 0.5 / out)                 # x > 0
cbrt = elementwise(onp.cbrt, lambda x, out: 1 / (3 * out ** 2))        # x != 0
square = elementwise(onp.square, lambda x: 2 * x)
reciprocal = elementwise(onp.reciprocal, lambda out: -out ** 2)
sin = elementwise(onp.sin, lambda x: cos(x))
cos = elementwise(onp.cos, lambda x: -sin(x))
tan = elementwise(onp.tan, lambda out: 1 + out ** 2)
arcsin = elementwise(onp.arcsin, lambda x: 1 / sqrt(1 - x ** 2))  # |x| < 1
arccos = elementwise(onp.arccos, lambda x: -1 / sqrt(1 - x ** 2))  # |x| < 1
arctan = elementwise(onp.arctan, lambda x: 1 / (1 + x ** 2))
sinh = elementwise(onp.sinh, lambda x: cosh(x))
cosh = elementwise(onp.cosh, lambda x: sinh(x))
tanh = elementwise(onp.tanh, lambda out: 1 - out ** 2)
arcsinh = elementwise(onp.arcsinh, lambda x: 1 / sqrt(x ** 2 + 1))
# arccosh: 1/(sqrt(x-1) sqrt(x+1)), not 1/sqrt(x^2-1): the two differ in sign off the
# real axis (principal branches), and only the first is the complex derivative.
arccosh = elementwise(onp.arccosh, lambda x: 1 / (sqrt(x - 1) * sqrt(x + 1)))  # x > 1
arctanh = elementwise(onp.arctanh, lambda x: 1 / (1 - x ** 2))      # |x| < 1
fabs = elementwise(onp.fabs, lambda x: sign(x))                     # real x only


# sinc(x) = sin(pi x) / (pi x);  sinc'(x) = (cos(pi x) - sinc(x)) / x.
# Near 0 that quotient cancels, and at 0 it is 0/0, so there we use the Taylor
# series sinc'(x) = sum_{k>=1} (-1)^k 2k pi^(2k) x^(2k-1) / (2k+1)!, which also
# gives every higher derivative at 0 exactly (up to order 12).
_SINC_SERIES = [(-1) ** k * 2 * k * onp.pi ** (2 * k) / float(onp.prod(onp.arange(1, 2 * k + 2)))
                for k in range(1, 7)]


@functools.partial(notrace_primitive, elementwise=True)
def _sinc_small(x):
    return onp.abs(x) < 0.01


def _sinc_deriv(x, out):
    small = _sinc_small(x)
    series = sum(c * x ** (2 * k + 1) for k, c in enumerate(_SINC_SERIES))
    safe = where(small, 1.0, x)
    return where(small, series, (cos(onp.pi * x) - out) / safe)


def _sinc(x):
    if holds_mp(x):  # numpy's sinc multiplies by a float64 pi
        raise TypeError("sinc has no mpmath path (numpy computes it with a float64 pi); "
                        "write np.sin(np.pi * x) / (np.pi * x) with an mpmath pi.")
    return onp.sinc(x)


sinc = elementwise(_sinc, _sinc_deriv, "sinc")

# sign: zero derivative for real x; z/|z| for complex z, so its rule is in complex.py.

__all__ = [n for n in dir() if not n.startswith("_") and isinstance(globals()[n], Primitive)]
__all__ += ["absolute", "conj", "real"]
