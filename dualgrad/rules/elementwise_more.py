"""More elementwise functions: degrees/radians, mod/remainder/fmod, copysign, ldexp,
heaviside, nan_to_num, i0, float_power, interp, polynomials, vdot, numpy 2 aliases.

Rounding (floor, ceil, round, trunc, rint, fix) is piecewise constant: its
derivative is zero almost everywhere. Those functions stay in ``nondiff.py``:
they return plain (untraced) values, which every transform reads as a zero
derivative, exactly, in both modes and at every order.
"""
from __future__ import annotations

import functools

import numpy as onp

from ..core import holds_tracer, Primitive, Tracer, getval, notrace_primitive, peek
from ._helpers import astype, broadcast_to, elementwise, shape_of, unbroadcast
from ._helpers import exact_constant
from .complex import conj, imag, is_complex, real
from ._helpers import composite as when_traced
from .elementwise import (add, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
                          broadcast_like, multiply, power, where)
from .linalg import dot
from .shape import concatenate, getitem, reshape

_D2R = onp.pi / 180.0


# ------------------------------------------------------------- linear maps
@when_traced(onp.deg2rad)
def deg2rad(x, **kw):
    return multiply(x, exact_constant(_D2R, lambda m: m.pi / 180, x))


@when_traced(onp.rad2deg)
def rad2deg(x, **kw):
    return multiply(x, exact_constant(1.0 / _D2R, lambda m: 180 / m.pi, x))


radians, degrees = deg2rad, rad2deg


@when_traced(onp.positive)
def positive(x, **kw):
    return x


# ---------------------------------------------------- remainders and signs
# z = x - y floor(x / y)  (mod, remainder);  z = x - y trunc(x / y)  (fmod).
#   dz = dx - q dy, with q = floor(x / y) (trunc for fmod): piecewise constant.
def _remainder_family(fun, quotient):
    prim = Primitive(fun, fun.__name__)

    # The quotient of the primal values, one elementwise call (under vmap: all examples).
    q = notrace_primitive(lambda x, y: quotient(x / y), elementwise=True)

    prim.def_jvp(lambda t, ans, x, y: broadcast_like(t, ans), argnum=0)
    prim.def_jvp(lambda t, ans, x, y: broadcast_like(-t * q(x, y), ans), argnum=1)
    prim.def_vjp(lambda g, ans, x, y: unbroadcast(g, x), argnum=0, reads=())
    prim.def_vjp(lambda g, ans, x, y: unbroadcast(-g * q(x, y), y), argnum=1, reads="x y")
    prim.elementwise = True  # numpy broadcasting: the batching interpreter maps it in one call
    return prim


remainder = _remainder_family(onp.remainder, onp.floor)
mod = remainder
fmod = _remainder_family(onp.fmod, onp.trunc)


@when_traced(onp.divmod)
def divmod(x1, x2):
    return onp.floor_divide(getval(x1), getval(x2)), remainder(x1, x2)


@when_traced(onp.modf)
def modf(x):
    whole = onp.trunc(getval(x))
    return x - whole, whole


@when_traced(onp.frexp)
def frexp(x):
    _, e = onp.frexp(getval(x))
    return ldexp(x, -e), e


# copysign(x, y) = |x| sign(y):  dz = s dx with s = sign(x) sign(y) (signs of zeros
# included); y only flips the sign: zero derivative.
@functools.partial(notrace_primitive, elementwise=True)
def _copysign_scale(x, y):
    return (onp.copysign(1.0, x) * onp.copysign(1.0, y)).astype(onp.result_type(x))


copysign = Primitive(onp.copysign, "copysign")
copysign.def_jvp(lambda t, ans, x, y: broadcast_like(t * _copysign_scale(x, y), ans), argnum=0)
copysign.def_jvp(lambda t, ans, x, y: broadcast_like(0.0 * t, ans), argnum=1)
copysign.def_vjp(lambda g, ans, x, y: unbroadcast(g * _copysign_scale(x, y), x), argnum=0,
                 reads="x y")
copysign.def_vjp(lambda g, ans, x, y: unbroadcast(0.0 * g, y), argnum=1, reads=())

# heaviside(x, h0) = 0 (x < 0), h0 (x == 0), 1 (x > 0):
#   zero derivative in x (a.e.);  dz = [x == 0] dh0
_at_zero = notrace_primitive(lambda x: x == 0, elementwise=True)
heaviside = Primitive(onp.heaviside, "heaviside")
heaviside.def_jvp(lambda t, ans, x, h: broadcast_like(0.0 * t, ans), argnum=0)
heaviside.def_jvp(lambda t, ans, x, h: broadcast_like(t * _at_zero(x), ans), argnum=1)
heaviside.def_vjp(lambda g, ans, x, h: unbroadcast(0.0 * g, x), argnum=0, reads=())
heaviside.def_vjp(lambda g, ans, x, h: unbroadcast(g * _at_zero(x), h), argnum=1, reads="x")

# ldexp(x, e) = x 2^e, e integer:  linear in x.
ldexp = Primitive(onp.ldexp, "ldexp")
ldexp.def_jvp(lambda t, ans, x, e: broadcast_like(ldexp(t, e), ans), argnum=0)
ldexp.def_vjp(lambda g, ans, x, e: unbroadcast(ldexp(g, e), x), argnum=0, reads="e")

for _p in (copysign, heaviside, ldexp):
    _p.elementwise = True  # numpy broadcasting: the batching interpreter maps it in one call


def _nondiff_arg(name):
    def rule(*args, **kw):
        from ..core import DifferentiationError
        raise DifferentiationError(f"{name}: the exponent is an integer and has no derivative.")
    return rule


ldexp.def_jvp(_nondiff_arg("ldexp"), argnum=1)
ldexp.def_vjp(_nondiff_arg("ldexp"), argnum=1, reads=())


# float_power(x, y) = x ** y computed in float64 (complex128).
def _to_double(x):
    dt = onp.complex128 if is_complex(x) else onp.float64
    return x if onp.result_type(peek(x)) == dt else astype(x, dtype=dt)


@when_traced(onp.float_power)
def float_power(x1, x2, **kw):
    return power(_to_double(x1), _to_double(x2))


@when_traced(onp.nextafter)
def nextafter(x1, x2, **kw):
    x1v = getval(x1)
    return x1 + (onp.nextafter(x1v, getval(x2)) - x1v)  # dz = dx1 (a step of one ulp)


# nan_to_num: the finite entries pass through (derivative 1); the replaced ones are
# constants (derivative 0).
@when_traced(onp.nan_to_num)
def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    if is_complex(x):
        return (nan_to_num(real(x), nan=nan, posinf=posinf, neginf=neginf)
                + 1j * nan_to_num(imag(x), nan=nan, posinf=posinf, neginf=neginf))
    xv = getval(x)
    return where(onp.isfinite(xv), x, onp.nan_to_num(xv, nan=nan, posinf=posinf, neginf=neginf))


@when_traced(onp.real_if_close)
def real_if_close(a, tol=100):
    if not is_complex(a):
        return a
    av = onp.asarray(getval(a))  # a Python complex has no dtype
    if onp.all(onp.abs(av.imag) < tol * onp.finfo(av.dtype).eps):
        return real(a)
    return a


@when_traced(onp.unwrap)
def unwrap(p, discont=None, axis=-1, *, period=2 * onp.pi):
    pv = getval(p)
    return p + (onp.unwrap(pv, discont, axis, period=period) - pv)  # jumps are constants


# i0'(x) = i1(x) (scipy.special.i1, which carries its own rules).
def _i0_deriv(x):
    from .scipy_special import i1
    return i1(x)


i0 = elementwise(onp.i0, _i0_deriv, "i0")


# ------------------------------------------------------------- interpolation
# interp(x, xp, fp) on segment j (xp[j] <= x < xp[j+1]):
#   fp[j] + (x - xp[j]) (fp[j+1] - fp[j]) / (xp[j+1] - xp[j]),
# a composite, so it is differentiable in x, xp and fp (j is piecewise constant).
@when_traced(onp.interp)
def interp(x, xp, fp, left=None, right=None, period=None):
    if period is not None:
        return _interp_periodic(x, xp, fp, period)
    xp, fp = _poly_array(xp), _poly_array(fp)
    xv, xpv = onp.asarray(getval(x)), onp.asarray(getval(xp))
    n = xpv.shape[0]
    if n == 1:
        y = broadcast_to(getitem(fp, 0), shape=xv.shape)
        y = y if left is None else where(xv < xpv[0], left, y)
        return y if right is None else where(xv > xpv[0], right, y)
    j = onp.clip(onp.searchsorted(xpv, xv, side="right") - 1, 0, n - 2)
    x0, x1 = getitem(xp, j), getitem(xp, j + 1)
    f0, f1 = getitem(fp, j), getitem(fp, j + 1)
    y = f0 + (x - x0) * ((f1 - f0) / (x1 - x0))
    y = where(xv < xpv[0], getitem(fp, 0) if left is None else left, y)
    y = where(xv > xpv[-1], getitem(fp, -1) if right is None else right, y)
    return y


def _interp_periodic(x, xp, fp, period):
    period = abs(period)
    xp, fp = _poly_array(xp), _poly_array(fp)
    x = remainder(x, period)
    xp = remainder(xp, period)
    order = onp.argsort(getval(xp))
    xp, fp = getitem(xp, order), getitem(fp, order)
    xp = concatenate([getitem(xp, slice(-1, None)) - period, xp, getitem(xp, slice(0, 1)) + period])
    fp = concatenate([getitem(fp, slice(-1, None)), fp, getitem(fp, slice(0, 1))])
    return interp(x, xp, fp)


# ------------------------------------------------------------- polynomials
def _poly_array(p):
    return p if isinstance(p, Tracer) else onp.asarray(p)


@when_traced(onp.polyval)
def polyval(p, x):
    p = _poly_array(p)
    y = 0.0 * x if isinstance(x, Tracer) else onp.zeros(onp.shape(x), onp.result_type(x, 1.0))
    for i in range(shape_of(p)[0]):
        y = y * x + getitem(p, i)
    return y


def _pad_front(p, n):
    k = shape_of(p)[0]
    if k == n:
        return p
    return concatenate([onp.zeros(n - k, onp.result_type(peek(p))), p])


@when_traced(onp.polyadd)
def polyadd(a1, a2):
    a1, a2 = onp.atleast_1d(a1) if not isinstance(a1, Tracer) else a1, \
        onp.atleast_1d(a2) if not isinstance(a2, Tracer) else a2
    n = max(shape_of(a1)[0], shape_of(a2)[0])
    return add(_pad_front(a1, n), _pad_front(a2, n))


@when_traced(onp.polysub)
def polysub(a1, a2):
    return polyadd(a1, -_poly_array(a2))


@when_traced(onp.polymul)
def polymul(a1, a2):
    from .products_stats import convolve
    return convolve(a1, a2)


@when_traced(onp.polyder)
def polyder(p, m=1):
    p = _poly_array(p)
    for _ in range(m):
        n = shape_of(p)[0] - 1
        if n <= 0:
            return 0.0 * getitem(p, slice(0, 1))
        p = getitem(p, slice(0, n)) * onp.arange(n, 0, -1)
    return p


@when_traced(onp.polyint)
def polyint(p, m=1, k=None):
    p = _poly_array(p)
    ks = onp.zeros(m) if k is None else onp.broadcast_to(getval(k), (m,))
    if holds_tracer(k):
        raise TypeError("polyint: the integration constants k cannot be traced.")
    for i in range(m):
        n = shape_of(p)[0]
        p = concatenate([p / onp.arange(n, 0, -1), onp.array([ks[i]])])
    return p


# vdot(a, b) = sum(conj(a) b) over the flattened arrays.
@when_traced(onp.vdot)
def vdot(a, b):
    a, b = reshape(a, shape=(-1,)), reshape(b, shape=(-1,))
    return dot(conj(a) if is_complex(a) else a, b)


# numpy 2 (array API) spellings of existing functions.
acos, acosh, asin, asinh = arccos, arccosh, arcsin, arcsinh
atan, atanh, atan2, pow = arctan, arctanh, arctan2, power

__all__ = ["deg2rad", "rad2deg", "radians", "degrees", "positive", "remainder", "mod",
           "fmod", "divmod", "modf", "frexp", "copysign", "heaviside", "ldexp", "float_power",
           "nextafter", "nan_to_num", "real_if_close", "unwrap", "i0", "interp", "polyval",
           "polyadd", "polysub", "polymul", "polyder", "polyint", "vdot", "acos", "acosh",
           "asin", "asinh", "atan", "atanh", "atan2", "pow"]
