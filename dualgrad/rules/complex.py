"""The complex-number convention, and the only module that knows it.

The convention
--------------
dualgrad follows autograd's convention. Write ``z = x + i y`` and
``f(z) = u(x, y) + i v(x, y)`` with ``u``, ``v`` real. Then

    grad(f)(z) = du/dx - i du/dy.

The imaginary part ``v`` of the output is thrown away, exactly as a real
output's derivative ignores nothing. Three cases are served:

1. ``f`` holomorphic (``exp``, ``z**3``, ``1/z``, polynomials, ``A @ z``):
   by Cauchy-Riemann (du/dx = dv/dy, du/dy = -dv/dx) the result is the
   ordinary complex derivative f'(z) = du/dx + i dv/dx.
2. ``f`` a real loss of a complex parameter (``abs(z)**2``, a least-squares
   misfit): ``grad(f)(z) = du/dx - i du/dy`` is the *conjugate* of the
   steepest-ascent direction ``du/dx + i du/dy``. Gradient descent therefore
   steps ``z -= lr * conj(grad(f)(z))``. Example: ``grad(abs(z)**2) = 2 conj(z)``.
3. ``f`` real-to-real but complex inside (an FFT convolution, ``real(exp(1j x))``):
   the gradient equals what a purely real implementation would give, because
   the cotangent reaching a real input keeps only its real part.

What it does not cover: all four partials du/dx, du/dy, dv/dx, dv/dy of a
non-holomorphic complex-valued ``f`` do not fit in one complex number. Use
``jacobian(f, complex_layout="real")`` (the real 2x2 block per entry,
``[[du/dx, du/dy], [dv/dx, dv/dy]]``) for those; see docs/complex.md.

How it shows up in the rules
----------------------------
Treat a complex array as a real vector of twice the length, with the real
inner product <a, b> = Re(sum(conj(a) b)) (vspace does). A JVP is the
ordinary real-linear directional derivative ``J dz``; the VJP of an output
cotangent ``g`` is

    vjp(g) = conj(J^T conj(g))       (J^T: adjoint for the real inner product)
           = g_x (du/dx - i du/dy) - g_y (dv/dx - i dv/dy),   g = g_x + i g_y.

For a holomorphic primitive this is ``g * f'(z)`` and its JVP is
``f'(z) * dz`` (``holomorphic_jvp``/``holomorphic_vjp`` below), so those rules
read exactly as in the real case and contain no conjugates. Only the
non-holomorphic primitives (real, imag, conj, absolute, angle, sign) spell
out the four partials; each has its formula in a header comment. A
cotangent flowing back to a real input keeps only its real part
(``cast_like``), and a cotangent of a real output is real.
"""
from __future__ import annotations

import numpy as onp

from ..core import (BatchingError, PLAIN_FLOATS, Primitive, ViewPrimitive, getval,
                    notrace_primitive, peek)
from ..core.mp import MP, mp_angle, mp_imag, mp_is_complex, mp_real
from ..core.residuals import NotKept

_OBJECT = onp.dtype(object)


def is_complex(x) -> bool:
    """True when ``x`` (possibly traced) holds complex values (an mpmath ``mpc`` among
    mpmath numbers: their object arrays have no complex dtype)."""
    v = peek(x)  # the dtype only, for NumPy's numbers
    if getattr(v, "dtype", None) != _OBJECT:
        return onp.iscomplexobj(v)
    if getattr(type(v), "_dualgrad_shape_only", False):
        # a batched value's stand-in: its object dtype does not say whether it holds an
        # mpc, so the batch is run one example at a time (vmap and jacobian loop)
        raise BatchingError("dualgrad: whether batched mpmath numbers are complex is in "
                            "their values; computing one example at a time.")
    return mp_is_complex(getval(x))


def _re(g):
    """The real part of a cotangent that should be real (of a real output)."""
    return real(g) if is_complex(g) else g


_REAL_SCALARS = PLAIN_FLOATS


def cast_like(g, x):
    """The cotangent ``g`` in ``x``'s space: real part for a real ``x``, and
    ``x``'s floating dtype (so float32 inputs get float32 gradients)."""
    if type(x) in _REAL_SCALARS and type(g) in _REAL_SCALARS:  # fast paths: nothing to do
        return g
    if g.__class__ is onp.ndarray and (x.__class__ is onp.ndarray or x.__class__ is NotKept) and (
            g.dtype == x.dtype and g.dtype.kind in "fc"):
        return g
    gv, xv = peek(g), peek(x)  # dtypes only
    if getattr(gv, "dtype", None) == _OBJECT or getattr(xv, "dtype", None) == _OBJECT:
        return real(g) if is_complex(g) and not is_complex(x) else g  # mpmath numbers
    g_dtype = onp.result_type(gv)
    x_dtype = onp.result_type(xv)
    if g_dtype.kind == "c" and x_dtype.kind != "c":
        g = real(g)
        g_dtype = onp.result_type(peek(g))
    # Scalars too (numpy scalars, Python complex): a complex64 or complex scalar
    # input must not get a float32 / float64 gradient (real(z)'s VJP is real g).
    if x_dtype.kind in "fc" and g_dtype != x_dtype and (
            isinstance(xv, (onp.ndarray, onp.generic)) or x_dtype.kind == "c"):
        g = g.astype(x_dtype) if hasattr(g, "astype") else x_dtype.type(g)  # ours on tracers
    return g


def holomorphic_jvp(t, fprime):
    """JVP of a holomorphic map with derivative ``fprime``: ``f'(z) dz``."""
    return t * fprime


def holomorphic_vjp(g, fprime, x):
    """VJP of a holomorphic map (the convention's ``conj(J^T conj(g))``):
    ``g f'(z)``, cast to ``x``'s space (its real part for a real ``x``)."""
    return cast_like(g * fprime, x)


def abs2(x):
    """|x|^2, real, without a square root: ``x*x`` for real x, Re(conj(x) x) for complex."""
    return real(conj(x) * x) if is_complex(x) else x * x


# real(z) = x.      JVP: real(dz).      VJP: g (real), as a cotangent of z.
#   (u = x: du/dx = 1, du/dy = 0;  v = 0.)
def _real(x):
    return mp_real(x) if getattr(x, "dtype", None) == _OBJECT else onp.real(x)


def _imag(x):
    return mp_imag(x) if getattr(x, "dtype", None) == _OBJECT else onp.imag(x)


real = ViewPrimitive(_real, "real")
real.def_jvp(lambda t, ans, x: real(t))
real.def_vjp(lambda g, ans, x: cast_like(_re(g), x), reads=())

# imag(z) = y.      JVP: imag(dz).      VJP: -i g.
#   (u = y: du/dx - i du/dy = -i.)  A real input has imag 0: zero derivative.
imag = ViewPrimitive(_imag, "imag")
imag.def_jvp(lambda t, ans, x: imag(t))
imag.def_vjp(lambda g, ans, x: -1j * _re(g) if is_complex(x) else cast_like(0.0 * g, x), reads=())

# The writes through z.real and z.imag (dualgrad.rules.views), for a complex z:
#   set_real(z, a) = a + i Im(z)        set_imag(z, b) = Re(z) + i b
# Both are linear. In the real pair picture a cotangent g = gr + i gi of the output is
# (gr, -gi) (the convention: du/dx - i du/dy), so
#   set_real:  z̄ = i Im(g) = set_real(g, 0),   ā = Re(g)
#   set_imag:  z̄ = Re(g) = set_imag(g, 0),     b̄ = -Im(g)
def _set_part(part):
    def set_part(z, v):
        out = onp.array(onp.broadcast_to(z, onp.broadcast_shapes(onp.shape(z), onp.shape(v))),
                        dtype=onp.result_type(z), copy=True)
        setattr(out, part, v)
        return out
    set_part.__name__ = f"set_{part}"
    return set_part


set_real = Primitive(_set_part("real"), "set_real")
set_imag = Primitive(_set_part("imag"), "set_imag")
set_real.def_jvp(lambda t, ans, z, a: set_real(t, 0.0), argnum=0)
set_real.def_jvp(lambda t, ans, z, a: set_real(onp.zeros(onp.shape(ans), onp.result_type(ans)),
                                               t), argnum=1)
set_real.def_vjp(lambda g, ans, z, a: set_real(g, 0.0), argnum=0, reads=())
set_real.def_vjp(lambda g, ans, z, a: cast_like(real(g), a), argnum=1, reads="a")
set_imag.def_jvp(lambda t, ans, z, b: set_imag(t, 0.0), argnum=0)
set_imag.def_jvp(lambda t, ans, z, b: set_imag(onp.zeros(onp.shape(ans), onp.result_type(ans)),
                                               t), argnum=1)
set_imag.def_vjp(lambda g, ans, z, b: set_imag(g, 0.0), argnum=0, reads=())
set_imag.def_vjp(lambda g, ans, z, b: cast_like(-imag(g), b), argnum=1, reads="b")
for _p in (set_real, set_imag):
    _p.elementwise = True  # numpy broadcasting over both arguments (batching, residuals)


# conj(z) = x - i y. JVP: conj(dz).     VJP: conj(g).
#   (u = x, v = -y: g_x * 1 - g_y * (0 - i (-1)) = g_x - i g_y.)
conj = Primitive(onp.conjugate, "conjugate")
conj.def_jvp(lambda t, ans, x: conj(t))
conj.def_vjp(lambda g, ans, x: cast_like(conj(g), x), reads=())


# A mask of the primal values, one elementwise call (under vmap: for all examples at once).
_is_zero = notrace_primitive(lambda r: r == 0, elementwise=True)


# |z| = sqrt(x^2 + y^2).  With the unit s = z / |z|:
#   JVP:  Re(conj(s) dz)                 (sign(x) dx for real x)
#   VJP:  g conj(s)                      (du/dx - i du/dy = (x - i y) / |z|)
# At z = 0 we take the subgradient 0, as autograd does.
def _abs_unit(x, ans):
    """conj(x) / |x|, and 0 where x == 0 (sign(x) for real x)."""
    if not is_complex(x):
        return sign(x)
    zero = _is_zero(ans)
    return onp.where(zero, 0.0, conj(x) / onp.where(zero, 1.0, ans))  # NEP 18: ours


absolute = Primitive(onp.absolute, "absolute")
absolute.def_jvp(lambda t, ans, x: real(_abs_unit(x, ans) * t) if is_complex(x)
                 else _abs_unit(x, ans) * t)
absolute.def_vjp(lambda g, ans, x: cast_like(_re(g) * _abs_unit(x, ans), x), reads="x ans")


# angle(z) = atan2(y, x), with du/dx = -y / |z|^2 and du/dy = x / |z|^2.
#   JVP:  Im(conj(z) dz) / |z|^2
#   VJP:  g (du/dx - i du/dy) = g conj(i z) / |z|^2
# Undefined at z = 0 (inf/nan there). A real input's angle is 0 or pi,
# constant almost everywhere: zero derivative.
# With deg=True both are scaled by 180 / pi.
def _degrees(x):
    """180 / pi, in the working precision for mpmath numbers."""
    if getattr(peek(x), "dtype", None) == _OBJECT:
        import mpmath  # deferred: only mpmath numbers need it
        return MP(180 / mpmath.pi)
    return 180 / onp.pi


def _angle_jvp(t, ans, x, deg=False):
    if not is_complex(x):
        return 0.0 * t
    d = imag(conj(x) * t) / abs2(x)
    return d * _degrees(x) if deg else d


def _angle_vjp(g, ans, x, deg=False):
    if not is_complex(x):
        return cast_like(0.0 * g, x)
    g = _re(g) * _degrees(x) if deg else _re(g)
    return g * conj(1j * x) / abs2(x)


def _angle(z, deg=False):
    return mp_angle(z, deg) if getattr(z, "dtype", None) == _OBJECT else onp.angle(z, deg)


angle = Primitive(_angle, "angle")
angle.def_jvp(_angle_jvp)
angle.def_vjp(_angle_vjp, reads="x")


# sign(z) = s = z / |z| for complex z (numpy >= 2), 0 at 0. Non-holomorphic.
#   JVP:  (dz - s Re(conj(s) dz)) / |z|      (= i s Im(conj(s) dz) / |z|)
#   VJP:  (g - conj(s) Re(g s)) / |z|        (= conj(J^T conj(g)), where
#                                              J^T w = (w - s Re(conj(w) s)) / |z|)
# At z = 0 we take 0 (as for abs). Real x: piecewise constant, zero derivative.
# numpy < 2 defines complex sign as sign(real(z)): piecewise constant there too.
_UNIT_SIGN = onp.sign(onp.complex128(1j)) == 1j


def _sign_scale(x):
    """1 / |x|, and 0 where x == 0."""
    r = absolute(x)
    zero = _is_zero(r)
    return onp.where(zero, 0.0, 1.0 / onp.where(zero, 1.0, r))  # NEP 18: ours


def _sign_jvp(t, ans, x):
    if not (_UNIT_SIGN and is_complex(x)):
        return 0.0 * t
    return (t - ans * real(conj(ans) * t)) * _sign_scale(x)


def _sign_vjp(g, ans, x):
    if not (_UNIT_SIGN and is_complex(x)):
        return cast_like(0.0 * g, x)
    return (g - conj(ans) * real(g * ans)) * _sign_scale(x)


_MP_SIGN = onp.frompyfunc(lambda e: e.sign(), 1, 1)   # NumPy's object sign only compares


def _sign(x):
    return _MP_SIGN(x) if getattr(x, "dtype", None) == _OBJECT else onp.sign(x)


sign = Primitive(_sign, "sign")
sign.def_jvp(_sign_jvp)
sign.def_vjp(_sign_vjp, reads="x ans")

__all__ = ["real", "imag", "conj", "absolute", "angle", "sign"]
