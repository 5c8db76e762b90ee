"""numpy.linalg.svd and numpy.linalg.qr, packed into one primitive each (see
decompositions.py for the packing, the complex convention and the references:
Townsend 2016 for the SVD, Seeger et al. 2017 and Townsend 2018 for QR).

Singular vectors are defined up to phase and the extra columns of
``full_matrices=True`` / ``mode="complete"`` up to a rotation: only losses
invariant to those choices have meaningful derivatives.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as onp

from ..core import Primitive, getval, plain_function
from ._helpers import shape_of
from .complex import cast_like, conj, real
from .elementwise import multiply, where
from .linalg import matmul
from .shape import concatenate, getitem
from ._matrix import (_H, _T, _any_traced, _cj, _col, _cplx, _diag, _diag_embed,
                      _gap_inverse, _pack, _re, _row, _unpack)
from .decompositions import inv

SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])
QRResult = namedtuple("QRResult", ["Q", "R"])


# ------------------------------------------------------------------ complements
# The extra columns Q₂ of a full orthonormal basis [Q₁ Q₂] are arbitrary; we move them
# with Q₁ by the smallest rotation keeping [Q₁ Q₂] unitary:
#   dQ₂ = -Q₁ (dQ₁ᴴ Q₂)              transpose:  Q̄₁ += -conj(Q₂) Q̄₂ᴴ conj(Q₁)
def _complement_jvp(q1, dq1, q2):
    return -matmul(q1, matmul(_H(dq1), q2))


def _complement_vjp(q1, q2, g2):
    return -matmul(_cj(q2), matmul(_H(g2), _cj(q1)))


# ------------------------------------------------------------------ svd
# A = U diag(s) Vᴴ, thin part U₁ (m×k), V₁ (n×k), k = min(m, n).   [T; Seeger et al. 2017]
# dS = U₁ᴴ dA V₁,  F[i, j] = 1/(s_j² - s_i²),  s⁻¹ (0 where s = 0):
#   JVP: ds  = Re diag(dS)
#        dU₁ = U₁ (F∘(dS S + (dS S)ᴴ) + i Im diag(dS) S⁻¹) + (dA V₁ - U₁ dS) S⁻¹     (m > k)
#        dV₁ = V₁ (F∘(S dS + (S dS)ᴴ))                     + (dAᴴ U₁ - V₁ dSᴴ) S⁻¹   (n > k)
#   VJP: each line transposed (see the module docstring); the complex phase of
#        (uⱼ, vⱼ) is fixed by putting its change in U (the i Im term), as JAX does.
def _svd_shapes(a, full_matrices):
    m, n = shape_of(a)[-2:]
    k = min(m, n)
    return shape_of(a)[:-2], [(m, m if full_matrices else k), (k,), (n if full_matrices else k, n)]


def _svd_impl(a, full_matrices=True):
    u, s, vh = onp.linalg.svd(a, full_matrices=full_matrices)
    return _pack([u, s, vh], onp.shape(a)[:-2])


def _split_cols(x, k):
    extra = getitem(x, (Ellipsis, slice(k, None))) if shape_of(x)[-1] > k else None
    return getitem(x, (Ellipsis, slice(0, k))), extra


def _svd_factors(x, a, full_matrices):
    batch, shapes = _svd_shapes(a, full_matrices)
    u, s, vh = _unpack(x, batch, shapes)
    k = shapes[1][0]
    return _split_cols(u, k) + (_re(s),) + _split_cols(_H(vh), k)


def _safe_inverse(s):
    zero = _is_zero(s)
    return where(zero, 0.0, 1.0 / where(zero, 1.0, s))


@plain_function
def _is_zero(x):
    return getval(x) == 0


def _svd_jvp(t, ans, a, full_matrices=True):
    u1, u2, s, v1, v2 = _svd_factors(ans, a, full_matrices)
    (m, n), k = shape_of(a)[-2:], shape_of(s)[-1]
    f, sinv = _gap_inverse(s * s), _safe_inverse(s)
    ds = matmul(_H(u1), matmul(t, v1))
    du = matmul(u1, f * (ds * _row(s) + _H(ds * _row(s))))
    if _cplx(ds):
        dd = _diag(ds)
        du = du + u1 * _row(0.5 * (dd - conj(dd)) * sinv)
    if m > k:
        du = du + (matmul(t, v1) - matmul(u1, ds)) * _row(sinv)
    dv = matmul(v1, f * (_col(s) * ds + _H(_col(s) * ds)))
    if n > k:
        dv = dv + (matmul(_H(t), u1) - matmul(v1, _H(ds))) * _row(sinv)
    if u2 is not None:
        du = concatenate([du, _complement_jvp(u1, du, u2)], axis=-1)
    if v2 is not None:
        dv = concatenate([dv, _complement_jvp(v1, dv, v2)], axis=-1)
    return _pack([du, _re(_diag(ds)), _H(dv)], shape_of(a)[:-2])


def _svd_vjp(g, ans, a, full_matrices=True):
    u1, u2, s, v1, v2 = _svd_factors(ans, a, full_matrices)
    (m, n), k = shape_of(a)[-2:], shape_of(s)[-1]
    batch, shapes = _svd_shapes(a, full_matrices)
    gu, gs, gvh = _unpack(g, batch, shapes)
    gu1, gu2 = _split_cols(gu, k)
    gv1, gv2 = _split_cols(_H(gvh), k)
    if u2 is not None:
        gu1 = gu1 + _complement_vjp(u1, u2, gu2)
    if v2 is not None:
        gv1 = gv1 + _complement_vjp(v1, v2, gv2)
    f, sinv = _gap_inverse(s * s), _safe_inverse(s)
    ju, jv = f * matmul(_T(u1), gu1), f * matmul(_T(v1), gv1)
    dsbar = _diag_embed(_re(gs)) + (ju + _H(ju)) * _row(s) + _col(s) * (jv + _H(jv))
    if _cplx(dsbar):
        e = _diag(matmul(_T(u1), gu1)) * sinv
        dsbar = dsbar + _diag_embed(0.5 * (e - conj(e)))
    abar = 0.0
    if m > k:
        gp = gu1 * _row(sinv)
        abar = abar + matmul(gp, _T(v1))
        dsbar = dsbar - matmul(_T(u1), gp)
    if n > k:
        gq = gv1 * _row(sinv)
        abar = abar + matmul(_cj(u1), _H(gq))
        dsbar = dsbar - matmul(_H(gq), _cj(v1))
    return cast_like(abar + matmul(_cj(u1), matmul(dsbar, _T(v1))), a)


svd_p = Primitive(_svd_impl, "svd")
svd_p.def_jvp(_svd_jvp)
svd_p.def_vjp(_svd_vjp, reads="ans a")


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """numpy.linalg.svd (distinct non-zero singular values assumed for U, V).
    ``hermitian`` only changes how numpy computes the factors; it is ignored when traced."""
    if not _any_traced(a):
        return onp.linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv,
                              hermitian=hermitian)
    fm = full_matrices and compute_uv
    batch, shapes = _svd_shapes(a, fm)
    u, s, vh = _unpack(svd_p(a, full_matrices=fm), batch, shapes)
    return SVDResult(u, _re(s), vh) if compute_uv else _re(s)


def svdvals(x, /):
    """numpy.linalg.svdvals."""
    return svd(x, compute_uv=False) if _any_traced(x) else onp.linalg.svdvals(x)


# ------------------------------------------------------------------ qr
# A = Q R. Square part first (A = [X Y], X m×k, R = [Rₓ V]):     [Seeger et al. 2017; Townsend 2018]
#   E = dX Rₓ⁻¹,  C = Q₁ᴴ E,  Ω = tril(C, -1) - tril(C, -1)ᴴ + i Im diag(C)
#   JVP: dQ₁ = Q₁ (Ω - C) + E,   dRₓ = (C - Ω) Rₓ,   dV = Q₁ᴴ (dY - dQ₁ V)   (wide A)
#   VJP: the same steps transposed, last to first.
def _qr_shapes(a, complete):
    m, n = shape_of(a)[-2:]
    kq = m if complete else min(m, n)
    return shape_of(a)[:-2], [(m, kq), (kq, n)]


def _qr_impl(a, complete=False):
    q, r = onp.linalg.qr(a, mode="complete" if complete else "reduced")
    return _pack([q, r], onp.shape(a)[:-2])


def _qr_factors(x, a, complete):
    batch, shapes = _qr_shapes(a, complete)
    q, r = _unpack(x, batch, shapes)
    k = min(shape_of(a)[-2:])
    q1, q2 = _split_cols(q, k)
    r1 = getitem(r, (Ellipsis, slice(0, k), slice(None)))
    rx, v = _split_cols(r1, k)
    return q1, q2, rx, v


def _qr_omega(c):
    k = shape_of(c)[-1]
    lo = multiply(c, onp.tril(onp.ones((k, k)), -1))
    om = lo - _H(lo)
    return om + multiply(c - real(c), onp.eye(k)) if _cplx(c) else om


def _qr_jvp(t, ans, a, complete=False):
    q1, q2, rx, v = _qr_factors(ans, a, complete)
    (m, n), k = shape_of(a)[-2:], min(shape_of(a)[-2:])
    dx, dy = _split_cols(t, k)
    e = matmul(dx, inv(rx))
    c = matmul(_H(q1), e)
    om = _qr_omega(c)
    dq, dr = matmul(q1, om - c) + e, matmul(c - om, rx)
    if dy is not None:
        dr = concatenate([dr, matmul(_H(q1), dy - matmul(dq, v))], axis=-1)
    if q2 is not None:
        dq = concatenate([dq, _complement_jvp(q1, dq, q2)], axis=-1)
        dr = concatenate([dr, onp.zeros(shape_of(dr)[:-2] + (m - k, n))], axis=-2)
    return _pack([dq, dr], shape_of(a)[:-2])


def _qr_vjp(g, ans, a, complete=False):
    q1, q2, rx, v = _qr_factors(ans, a, complete)
    k = min(shape_of(a)[-2:])
    batch, shapes = _qr_shapes(a, complete)
    gq, gr = _unpack(g, batch, shapes)
    gq1, gq2 = _split_cols(gq, k)
    grx, gv = _split_cols(getitem(gr, (Ellipsis, slice(0, k), slice(None))), k)
    if q2 is not None:
        gq1 = gq1 + _complement_vjp(q1, q2, gq2)
    ybar = None
    if gv is not None:
        ybar = matmul(_cj(q1), gv)
        gq1 = gq1 - matmul(ybar, _T(v))
    x1, y1 = matmul(_T(q1), gq1), matmul(grx, _T(rx))
    ombar, cbar = x1 - y1, y1 - x1
    lobar = ombar - _H(ombar)
    cbar = cbar + multiply(lobar, onp.tril(onp.ones((k, k)), -1))
    if _cplx(cbar):
        cbar = cbar + multiply(ombar - real(ombar), onp.eye(k))
    xbar = matmul(gq1 + matmul(_cj(q1), cbar), _T(inv(rx)))
    abar = xbar if ybar is None else concatenate([xbar, ybar], axis=-1)
    return cast_like(abar, a)


qr_p = Primitive(_qr_impl, "qr")
qr_p.def_jvp(_qr_jvp)
qr_p.def_vjp(_qr_vjp, reads="ans a")


def qr(a, mode="reduced"):
    """numpy.linalg.qr, modes 'reduced', 'complete' and 'r' ('raw' is not differentiable)."""
    if not _any_traced(a):
        return onp.linalg.qr(a, mode=mode)
    if mode not in ("reduced", "complete", "r"):
        raise NotImplementedError(f"qr(mode={mode!r}) has no derivative; use mode='reduced', "
                                  "'complete' or 'r'.")
    complete = mode == "complete"
    batch, shapes = _qr_shapes(a, complete)
    q, r = _unpack(qr_p(a, complete=complete), batch, shapes)
    return r if mode == "r" else QRResult(q, r)


LINALG = dict(svd=svd, svdvals=svdvals, qr=qr)
__all__: list[str] = []
