"""The complex-number convention, and the only module that knows it.

dualgrad follows autograd's convention. Write ``f(z) = u(x, y) + i v(x, y)``
with ``z = x + i y``. Then

    grad(f)(z) = du/dx - i du/dy.

It serves three cases:

1. ``f`` holomorphic: the result is the ordinary complex derivative f'(z)
   (Cauchy-Riemann: du/dx = dv/dy, du/dy = -dv/dx).
2. ``f`` a real loss of a complex parameter: ``conj(grad(f)(z))`` is the
   direction of steepest ascent, so gradient descent steps
   ``z -= lr * conj(grad(f)(z))``.
3. ``f`` real-to-real but complex inside (an FFT convolution): the gradient
   equals what a purely real implementation would give.

It does not give all four partials of a non-holomorphic complex function in
one complex number; for those use the real 2x2 Jacobian (see the docs).

How it shows up in the rules. A JVP is the ordinary real-linear directional
derivative: for holomorphic primitives ``dz_out = f'(z) dz``. A VJP maps an
output cotangent ``g`` to ``conj(J^T conj(g))`` where ``J^T`` is the adjoint
of the JVP for the real inner product Re(sum(conj(a) b)); for holomorphic
primitives this is simply ``g * f'(z)``, so their rules need no change from
the real case. Only the non-holomorphic primitives below (real, imag, conj,
abs, angle) spell out all four partial derivatives, and a cotangent flowing
back to a real input keeps only its real part (``cast_like``).
"""
from __future__ import annotations

import numpy as onp

from ..core import Primitive, getval


def _is_complex(x) -> bool:
    return onp.iscomplexobj(getval(x))


def cast_like(g, x):
    """The cotangent ``g`` in ``x``'s space: real part for a real ``x``, and
    ``x``'s floating dtype (so float32 inputs get float32 gradients)."""
    gv, xv = getval(g), getval(x)
    g_dtype = onp.result_type(gv)
    x_dtype = onp.result_type(xv)
    if g_dtype.kind == "c" and x_dtype.kind != "c":
        g = real(g)
        g_dtype = onp.result_type(getval(g))
    if x_dtype.kind in "fc" and g_dtype != x_dtype and isinstance(xv, onp.ndarray):
        from ._helpers import astype
        g = astype(g, dtype=x_dtype)
    return g


# real(z) = x.      JVP: real(dz).      VJP: g (real) as a cotangent of z.
real = Primitive(onp.real, "real")
real.def_jvp(lambda t, ans, x: real(t))
real.def_vjp(lambda g, ans, x: cast_like(g, x))

# imag(z) = y.      JVP: imag(dz).      VJP: -i g  (autograd's sign: d imag / dy = 1
#                   enters grad as the "- i du/dy" term).
imag = Primitive(onp.imag, "imag")
imag.def_jvp(lambda t, ans, x: imag(t))
imag.def_vjp(lambda g, ans, x: cast_like(-1j * g, x) if _is_complex(x) else 0.0 * g)

# conj(z) = x - i y. JVP: conj(dz).     VJP: conj(g).
conj = Primitive(onp.conjugate, "conjugate")
conj.def_jvp(lambda t, ans, x: conj(t))
conj.def_vjp(lambda g, ans, x: cast_like(conj(g), x))


# |z| = sqrt(x^2 + y^2).
#   JVP:  d|z| = Re(conj(z) dz) / |z|   (sign(x) dx for real x)
#   VJP:  g * conj(z) / |z|            (u = |z|: du/dx - i du/dy = (x - i y)/|z|)
# At z = 0 we take the subgradient 0, as autograd does.
def _abs_unit(x, ans):
    from .elementwise import where, sign
    if not _is_complex(x):
        return sign(x)
    safe = where(ans == 0, 1.0, ans)
    return where(ans == 0, 0.0, conj(x) / safe)


absolute = Primitive(onp.absolute, "absolute")
absolute.def_jvp(lambda t, ans, x: real(_abs_unit(x, ans) * t))
absolute.def_vjp(lambda g, ans, x: cast_like(g * _abs_unit(x, ans), x))


# angle(z) = atan2(y, x), with du/dx = -y/|z|^2 and du/dy = x/|z|^2.
#   JVP:  Im(conj(z) dz) / |z|^2
#   VJP:  g * (du/dx - i du/dy) = g * conj(i z) / |z|^2
# A real input has angle 0 or pi, constant almost everywhere.
def _angle_dir(x):
    return conj(1j * x) / (real(x) ** 2 + imag(x) ** 2)


angle = Primitive(onp.angle, "angle")
angle.def_jvp(lambda t, ans, x: imag(conj(x) * t) / (real(x) ** 2 + imag(x) ** 2)
              if _is_complex(x) else 0.0 * real(t))
angle.def_vjp(lambda g, ans, x: cast_like(g * _angle_dir(x), x)
              if _is_complex(x) else 0.0 * g)

__all__ = ["real", "imag", "conj", "absolute", "angle", "cast_like"]
