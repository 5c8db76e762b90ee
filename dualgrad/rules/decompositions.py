"""numpy.linalg: inverses, determinants, solves, and matrix decompositions.

Every function works on stacks of matrices (leading batch axes) as numpy does.
Complex matrices follow the convention of rules/complex.py: holomorphic maps
(inv, det, solve, eig) have VJP ``g * f'(A)`` with plain transposes; the
others (eigh, cholesky, svd, qr: they involve conjugates) have the VJP
``conj(L^† conj g)``, obtained below by transposing the JVP step by step in the
bilinear sense, where ``X ↦ Xᴴ`` transposes to ``g ↦ gᴴ`` and ``real`` (a real
intermediate inside complex arithmetic) transposes to ``g ↦ real(g)``.

Multi-output decompositions (eigh, eig, svd, qr). The tape boxes one value per
primitive, so each decomposition is ONE primitive whose answer packs all its
factors into a single array (each factor flattened onto a last axis, batch axes
kept), and the public function unpacks it with ``getitem``/``reshape``. The
factorisation runs once; both modes and any nesting see an ordinary primitive;
a cotangent reaching only some factors arrives as zeros in the others (from
``getitem``'s VJP). Real factors of complex decompositions (eigh's w, svd's s)
are stored complex and taken back with ``real``.

Derivatives of eigenvectors/singular vectors assume DISTINCT eigenvalues
(singular values); at ties the factor ``1/(λⱼ - λᵢ)`` is set to 0, so
eigenvalue-only losses stay finite but vector derivatives are meaningless
there. Vectors are defined up to sign/phase (and the extra columns of
``full_matrices``/``complete`` outputs up to a rotation): only losses invariant
to that choice have meaningful derivatives.

References: Giles, "An extended collection of matrix derivative results for
forward and reverse mode AD" (2008) [G]; Murray, "Differentiation of the
Cholesky decomposition" (2016); Townsend, "Differentiating the singular value
decomposition" (2016) [T]; Seeger et al., "Auto-differentiating linear algebra"
(2017) and Townsend, "Differentiating the QR decomposition" (2018) for QR;
Golub & Pereyra (1973) for the pseudo-inverse.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as onp
from numpy.lib.array_utils import normalize_axis_tuple

from ..core import Primitive, Tracer, getval
from ._helpers import composite, shape_of, unbroadcast
from .complex import cast_like, conj, imag, real, absolute
from .elementwise import exp, multiply, power, sqrt, where
from .linalg import diagonal, matmul
from .reductions import max as rmax, min as rmin, sum as rsum
from .shape import concatenate, getitem, moveaxis, reshape, swapaxes

EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
EigResult = namedtuple("EigResult", ["eigenvalues", "eigenvectors"])
SVDResult = namedtuple("SVDResult", ["U", "S", "Vh"])
QRResult = namedtuple("QRResult", ["Q", "R"])
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])


# ------------------------------------------------------------------ small helpers
def _cplx(x) -> bool:
    return onp.iscomplexobj(getval(x))


def _T(x):
    return swapaxes(x, -1, -2)


def _H(x):
    return conj(_T(x)) if _cplx(x) else _T(x)


def _cj(x):
    return conj(x) if _cplx(x) else x


def _re(x):
    return real(x) if _cplx(x) else x


def _diag(x):
    return diagonal(x, 0, -2, -1)


def _diag_embed(v):
    n = shape_of(v)[-1]
    return multiply(reshape(v, shape_of(v)[:-1] + (1, n)), onp.eye(n))


def _col(v):
    return reshape(v, shape_of(v) + (1,))


def _row(v):
    return reshape(v, shape_of(v)[:-1] + (1, shape_of(v)[-1]))


def _any_traced(*args) -> bool:
    return any(isinstance(a, Tracer) for a in args)


def _pack(parts, batch):
    """Factors with a common batch shape as one array ``batch + (total,)``."""
    return concatenate([reshape(p, batch + (-1,)) for p in parts], axis=-1)


def _unpack(packed, batch, shapes):
    out, start = [], 0
    for s in shapes:
        stop = start + int(onp.prod(s, dtype=int))
        out.append(reshape(getitem(packed, (Ellipsis, slice(start, stop))), batch + s))
        start = stop
    return out


def _gap_inverse(w):
    """F[i, j] = 1 / (w_j - w_i) off the diagonal; 0 on it and at ties."""
    d = _row(w) - _col(w)
    tie = getval(d) == 0
    return where(tie, 0.0, 1.0 / where(tie, 1.0, d))


# ------------------------------------------------------------------ inv
# X = A⁻¹     JVP: dX = -X dA X        VJP: Ā = -Xᵀ g Xᵀ                      [G 2.2.3]
inv = Primitive(lambda a: onp.linalg.inv(a), "inv")
inv.def_jvp(lambda t, ans, a: -matmul(ans, matmul(t, ans)))
inv.def_vjp(lambda g, ans, a: cast_like(-matmul(_T(ans), matmul(g, _T(ans))), a))


# ------------------------------------------------------------------ solve
# X = A⁻¹ B  (B a vector when 1-D, else a stack of matrices; numpy 2 semantics)
#   JVP: dX = A⁻¹ (dB - dA X)          VJP: B̄ = A⁻ᵀ g,  Ā = -B̄ Xᵀ             [G 2.3.1]
def _as_cols(x, b):
    return _col(x) if len(shape_of(b)) == 1 else x


def _solve_vjp_b(g, ans, a, b):
    bbar = solve(_T(a), _as_cols(g, b))
    return unbroadcast(bbar[..., 0] if len(shape_of(b)) == 1 else bbar, b)


def _solve_vjp_a(g, ans, a, b):
    bbar = solve(_T(a), _as_cols(g, b))
    return unbroadcast(-matmul(bbar, _T(_as_cols(ans, b))), a)


def _solve_jvp_a(t, ans, a, b):
    dx = -solve(a, matmul(t, _as_cols(ans, b)))
    return dx[..., 0] if len(shape_of(b)) == 1 else dx


solve = Primitive(lambda a, b: onp.linalg.solve(a, b), "solve")
solve.def_jvp(_solve_jvp_a, argnum=0)
solve.def_jvp(lambda t, ans, a, b: solve(a, t), argnum=1)
solve.def_vjp(_solve_vjp_a, argnum=0)
solve.def_vjp(_solve_vjp_b, argnum=1)


# ------------------------------------------------------------------ det, slogdet
# d = det A    JVP: dd = d tr(A⁻¹ dA)     VJP: Ā = g d A⁻ᵀ                      [G 2.2.4]
def _trace(x):
    return rsum(_diag(x), axis=-1)


def _det_vjp(g, ans, a):
    return cast_like(_col(_col(g * ans)) * _T(inv(a)), a)


det = Primitive(lambda a: onp.linalg.det(a), "det")
det.def_jvp(lambda t, ans, a: ans * _trace(solve(a, t)))
det.def_vjp(_det_vjp)


# ℓ = log det A: log|det A| for real A; log|det A| + i arg(det A) for complex A
# (holomorphic there).   JVP: dℓ = tr(A⁻¹ dA)      VJP: Ā = g A⁻ᵀ
def _logdet(a):
    sign, logabs = onp.linalg.slogdet(a)
    return logabs + onp.log(sign) if onp.iscomplexobj(a) else logabs


logdet = Primitive(_logdet, "logdet")
logdet.def_jvp(lambda t, ans, a: _trace(solve(a, t)))
logdet.def_vjp(lambda g, ans, a: cast_like(_col(_col(g)) * _T(inv(a)), a))


def slogdet(a):
    """numpy.linalg.slogdet. For real ``a`` the sign is piecewise constant (a plain
    array); for complex ``a`` sign = exp(i Im ℓ) and logabsdet = Re ℓ are traced."""
    if not _any_traced(a):
        return onp.linalg.slogdet(a)
    ell = logdet(a)
    if _cplx(a):
        return SlogdetResult(exp(1j * imag(ell)), real(ell))
    return SlogdetResult(onp.linalg.slogdet(getval(a))[0], ell)


# ------------------------------------------------------------------ pinv
# P = A⁺ (constant rank)                                    [Golub & Pereyra 1973]
#   JVP: dP = -P dA P + (I - P A) dAᴴ Pᴴ P + P Pᴴ dAᴴ (I - A P)
#   VJP: Ā = -Pᵀ g Pᵀ + ((I - P A)ᵀ g (Pᴴ P)ᵀ)ᴴ + ((P Pᴴ)ᵀ g (I - A P)ᵀ)ᴴ
def _pinv_pieces(ans, a):
    n, m = shape_of(ans)[-2:]
    return onp.eye(n) - matmul(ans, a), onp.eye(m) - matmul(a, ans), _H(ans)


def _pinv_jvp(t, ans, a, **kw):
    ipa, iap, ph = _pinv_pieces(ans, a)
    th = _H(t)
    return (-matmul(ans, matmul(t, ans)) + matmul(ipa, matmul(th, matmul(ph, ans)))
            + matmul(matmul(ans, ph), matmul(th, iap)))


def _pinv_vjp(g, ans, a, **kw):
    ipa, iap, ph = _pinv_pieces(ans, a)
    abar = (-matmul(_T(ans), matmul(g, _T(ans)))
            + _H(matmul(_T(ipa), matmul(g, _T(matmul(ph, ans)))))
            + _H(matmul(_T(matmul(ans, ph)), matmul(g, _T(iap)))))
    return cast_like(abar, a)


pinv_p = Primitive(lambda a, **kw: onp.linalg.pinv(a, **kw), "pinv")
pinv_p.def_jvp(_pinv_jvp)
pinv_p.def_vjp(_pinv_vjp)


def pinv(a, rcond=None, hermitian=False, **kw):
    """numpy.linalg.pinv, differentiable where the rank is locally constant."""
    kw = dict(kw, hermitian=hermitian, **({} if rcond is None else {"rcond": rcond}))
    return pinv_p(a, **kw) if _any_traced(a) else onp.linalg.pinv(a, **kw)


# ------------------------------------------------------------------ Hermitian input
# eigh and cholesky read one triangle of A (and the real part of its diagonal):
#   A_eff = P∘A + (P∘A)ᴴ + I∘Re(A),   P the strict triangle ('L': lower) mask.
# Its transpose (bilinear):  Ā = P∘(g + gᴴ) + I∘Re(g).
def _tri_masks(n, uplo):
    strict = onp.tril(onp.ones((n, n)), -1) if uplo.upper() == "L" else onp.triu(onp.ones((n, n)), 1)
    return strict, onp.eye(n)


def _hermitian_from_triangle(x, uplo):
    strict, eye = _tri_masks(shape_of(x)[-1], uplo)
    lo = multiply(x, strict)
    return lo + _H(lo) + multiply(_re(x), eye)


def _hermitian_from_triangle_T(g, uplo):
    strict, eye = _tri_masks(shape_of(g)[-1], uplo)
    return multiply(g + _H(g), strict) + multiply(_re(g), eye)


# ------------------------------------------------------------------ cholesky
# A = L Lᴴ (L lower; numpy's upper=True gives U = Lᴴ from A's upper triangle).
#   Φ(X) = lower triangle of X with its diagonal halved; H = A_eff(dA).
#   JVP: dL = L Φ(L⁻¹ H L⁻ᴴ)          VJP: H̄ = L⁻ᵀ Φ(Lᵀ L̄) conj(L⁻¹), then Ā = A_effᵀ(H̄)
# (Murray 2016, eq. 10, written for complex Hermitian A.)
def _phi(x):
    n = shape_of(x)[-1]
    return multiply(x, onp.tril(onp.ones((n, n))) - 0.5 * onp.eye(n))


def _chol_lower(ans, upper):
    return _H(ans) if upper else ans


def _chol_jvp(t, ans, a, upper=False):
    L = _chol_lower(ans, upper)
    Li = inv(L)
    h = _hermitian_from_triangle(t, "U" if upper else "L")
    dL = matmul(L, _phi(matmul(Li, matmul(h, _H(Li)))))
    return _H(dL) if upper else dL


def _chol_vjp(g, ans, a, upper=False):
    L = _chol_lower(ans, upper)
    Li = inv(L)
    gL = _H(g) if upper else g
    hbar = matmul(_T(Li), matmul(_phi(matmul(_T(L), gL)), _cj(Li)))
    return cast_like(_hermitian_from_triangle_T(hbar, "U" if upper else "L"), a)


cholesky_p = Primitive(lambda a, upper=False: onp.linalg.cholesky(a, upper=upper), "cholesky")
cholesky_p.def_jvp(_chol_jvp)
cholesky_p.def_vjp(_chol_vjp)


def cholesky(a, /, *, upper=False):
    """numpy.linalg.cholesky; the derivative lives on the triangle numpy reads."""
    return cholesky_p(a, upper=upper) if _any_traced(a) else onp.linalg.cholesky(a, upper=upper)


# ------------------------------------------------------------------ eigh
# A_eff = V diag(w) Vᴴ (Hermitian, from one triangle).  With H = A_eff(dA), K = Vᴴ H V,
# F[i, j] = 1/(w_j - w_i):
#   JVP: dw = Re diag(K),  dV = V (F∘K)                         [G 3.1; gauge Im(vᴴdv)=0]
#   VJP: H̄ = conj(V) (diag(Re w̄) + F∘(Vᵀ V̄)) Vᵀ,  then Ā = A_effᵀ(H̄)
def _square_shapes(a):
    n = shape_of(a)[-1]
    return shape_of(a)[:-2], [(n,), (n, n)]


def _eigh_impl(a, UPLO="L"):
    w, v = onp.linalg.eigh(a, UPLO=UPLO)
    return _pack([w, v], onp.shape(a)[:-2])


def _eigh_jvp(t, ans, a, UPLO="L"):
    batch, shapes = _square_shapes(a)
    w, v = _unpack(ans, batch, shapes)
    w = _re(w)
    k = matmul(_H(v), matmul(_hermitian_from_triangle(t, UPLO), v))
    return _pack([_re(_diag(k)), matmul(v, _gap_inverse(w) * k)], batch)


def _eigh_vjp(g, ans, a, UPLO="L"):
    batch, shapes = _square_shapes(a)
    w, v = _unpack(ans, batch, shapes)
    gw, gv = _unpack(g, batch, shapes)
    kbar = _diag_embed(_re(gw)) + _gap_inverse(_re(w)) * matmul(_T(v), gv)
    hbar = matmul(_cj(v), matmul(kbar, _T(v)))
    return cast_like(_hermitian_from_triangle_T(hbar, UPLO), a)


eigh_p = Primitive(_eigh_impl, "eigh")
eigh_p.def_jvp(_eigh_jvp)
eigh_p.def_vjp(_eigh_vjp)


def eigh(a, UPLO="L"):
    """numpy.linalg.eigh (distinct eigenvalues assumed for eigenvector derivatives)."""
    if not _any_traced(a):
        return onp.linalg.eigh(a, UPLO=UPLO)
    batch, shapes = _square_shapes(a)
    w, v = _unpack(eigh_p(a, UPLO=UPLO), batch, shapes)
    return EighResult(_re(w), v)


def eigvalsh(a, UPLO="L"):
    """numpy.linalg.eigvalsh (finite derivatives also at repeated eigenvalues)."""
    return eigh(a, UPLO)[0] if _any_traced(a) else onp.linalg.eigvalsh(a, UPLO=UPLO)


# ------------------------------------------------------------------ eig
# A = V diag(w) V⁻¹ (holomorphic in A; columns of V have unit 2-norm, free phase).
# K = V⁻¹ dA V, F as for eigh:                                              [G 3.1]
#   JVP: dw = diag(K);  dV₀ = V (F∘K);  dV = dV₀ - V diag(Re(Σᵢ conj(V)∘dV₀))  (keeps |v| = 1)
#   VJP: V̄₀ = V̄ - conj(V) diag(Re(Σᵢ V∘V̄));  Ā = V⁻ᵀ (diag(w̄) + F∘(Vᵀ V̄₀)) Vᵀ
def _eig_impl(a):
    w, v = onp.linalg.eig(a)
    return _pack([w, v], onp.shape(a)[:-2])


def _eig_jvp(t, ans, a):
    batch, shapes = _square_shapes(a)
    w, v = _unpack(ans, batch, shapes)
    k = solve(v, matmul(t, v))
    dv0 = matmul(v, _gap_inverse(w) * k)
    dv = dv0 - v * _row(_re(rsum(_cj(v) * dv0, axis=-2)))
    return _pack([_diag(k), dv], batch)


def _eig_vjp(g, ans, a):
    batch, shapes = _square_shapes(a)
    w, v = _unpack(ans, batch, shapes)
    gw, gv = _unpack(g, batch, shapes)
    gv0 = gv - _cj(v) * _row(_re(rsum(v * gv, axis=-2)))
    kbar = _diag_embed(gw) + _gap_inverse(w) * matmul(_T(v), gv0)
    return cast_like(solve(_T(v), matmul(kbar, _T(v))), a)


eig_p = Primitive(_eig_impl, "eig")
eig_p.def_jvp(_eig_jvp)
eig_p.def_vjp(_eig_vjp)


def eig(a):
    """numpy.linalg.eig (distinct eigenvalues assumed)."""
    if not _any_traced(a):
        return onp.linalg.eig(a)
    batch, shapes = _square_shapes(a)
    return EigResult(*_unpack(eig_p(a), batch, shapes))


def eigvals(a):
    """numpy.linalg.eigvals."""
    return eig(a)[0] if _any_traced(a) else onp.linalg.eigvals(a)


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
    zero = getval(s) == 0
    return where(zero, 0.0, 1.0 / where(zero, 1.0, s))


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
svd_p.def_vjp(_svd_vjp)


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
qr_p.def_vjp(_qr_vjp)


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


# ------------------------------------------------------------------ written with the above
@composite(onp.linalg.matrix_power)
def matrix_power(a, n):
    if n < 0:
        a, n = inv(a), -n
    if n == 0:
        return 0.0 * a + onp.eye(shape_of(a)[-1])
    result, square = None, a
    while n:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if n:
            square = matmul(square, square)
    return result


def multi_dot(arrays, *, out=None):
    """numpy.linalg.multi_dot (left to right; the order does not change derivatives)."""
    arrays = list(arrays)
    if out is not None or not _any_traced(*arrays):
        return onp.linalg.multi_dot(arrays, out=out)
    result = arrays[0]
    for b in arrays[1:]:
        result = matmul(result, b)
    return result


def lstsq(a, b, rcond=None):
    """numpy.linalg.lstsq: x = A⁺ b (through pinv's rules), residuals |b - A x|², rank
    (a constant) and singular values (through svd's rules)."""
    if not _any_traced(a, b):
        return onp.linalg.lstsq(a, b, rcond=rcond)
    m, n = shape_of(a)
    _, res0, rank, _ = onp.linalg.lstsq(getval(a), getval(b), rcond=rcond)
    x = matmul(pinv(a, rcond=rcond if rcond is not None else max(m, n) * onp.finfo(float).eps), b)
    if onp.size(res0):
        r = b - matmul(a, x)
        res = rsum(_re(_cj(r) * r), axis=0)
        res = reshape(res, (1,)) if len(shape_of(b)) == 1 else res
    else:
        res = res0
    return x, res, rank, svd(a, compute_uv=False)


# ------------------------------------------------------------------ norm
def _abs2(x):
    return _re(_cj(x) * x)


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return sqrt(rsum(_abs2(x), axis=axis, keepdims=keepdims))
    ax = absolute(x)
    if ord == onp.inf:
        return rmax(ax, axis=axis, keepdims=keepdims)
    if ord == -onp.inf:
        return rmin(ax, axis=axis, keepdims=keepdims)
    if ord == 0:
        return rsum(where(getval(x) != 0, 1.0, 0.0 * ax), axis=axis, keepdims=keepdims)
    if ord == 1:
        return rsum(ax, axis=axis, keepdims=keepdims)
    return power(rsum(power(ax, ord), axis=axis, keepdims=keepdims), 1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims):
    r, c = axes
    if ord in (None, "fro"):
        out = sqrt(rsum(_abs2(x), axis=axes))
    elif ord in ("nuc", 2, -2):
        s = svd(moveaxis(x, axes, (-2, -1)), compute_uv=False)
        out = {"nuc": rsum, 2: rmax, -2: rmin}[ord](s, axis=-1)
    else:
        inner, outer = (c, r) if ord in (onp.inf, -onp.inf) else (r, c)
        pick = rmax if ord in (1, onp.inf) else rmin
        out = pick(rsum(absolute(x), axis=inner, keepdims=True), axis=outer, keepdims=True)
        out = reshape(out, [d for i, d in enumerate(shape_of(out)) if i not in axes])
    if keepdims:
        shape = list(shape_of(x))
        shape[r] = shape[c] = 1
        out = reshape(out, tuple(shape))
    return out


@composite(onp.linalg.norm)
def norm(x, ord=None, axis=None, keepdims=False):
    onp.linalg.norm(getval(x), ord, axis, keepdims)  # let numpy reject bad ord/axis combinations
    nd = len(shape_of(x))
    if axis is None:
        if ord is None:
            out = sqrt(rsum(_abs2(x)))
            return reshape(out, (1,) * nd) if keepdims else out
        axis = tuple(range(nd))
    axes = normalize_axis_tuple(axis, nd)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    return _matrix_norm(x, ord, axes, keepdims)


@composite(onp.linalg.matrix_norm)
def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


@composite(onp.linalg.vector_norm)
def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    if axis is None:
        out = _vector_norm(reshape(x, (-1,)), ord, 0, False)
        return reshape(out, (1,) * len(shape_of(x))) if keepdims else out
    axes = normalize_axis_tuple(axis, len(shape_of(x)))
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    rest = [i for i in range(len(shape_of(x))) if i not in axes]
    flat = reshape(moveaxis(x, axes, tuple(range(-len(axes), 0))),
                   tuple(shape_of(x)[i] for i in rest) + (-1,))
    out = _vector_norm(flat, ord, -1, False)
    if keepdims:
        out = reshape(out, tuple(1 if i in axes else d for i, d in enumerate(shape_of(x))))
    return out


# ------------------------------------------------------------------ tensor forms
@composite(onp.linalg.tensorinv)
def tensorinv(a, ind=2):
    shape = shape_of(a)
    rows = int(onp.prod(shape[:ind], dtype=int))
    return reshape(inv(reshape(a, (rows, -1))), shape[ind:] + shape[:ind])


@composite(onp.linalg.tensorsolve)
def tensorsolve(a, b, axes=None):
    if axes is not None:
        a = moveaxis(a, axes, tuple(range(len(shape_of(a)) - len(axes), len(shape_of(a)))))
    rest = shape_of(a)[len(shape_of(b)):]
    x = solve(reshape(a, (int(onp.prod(shape_of(b), dtype=int)), -1)), reshape(b, (-1,)))
    return reshape(x, rest)


LINALG = dict(inv=inv, solve=solve, det=det, slogdet=slogdet, pinv=pinv, cholesky=cholesky,
              eigh=eigh, eigvalsh=eigvalsh, eig=eig, eigvals=eigvals, svd=svd, svdvals=svdvals,
              qr=qr, matrix_power=matrix_power, multi_dot=multi_dot, lstsq=lstsq, norm=norm,
              matrix_norm=matrix_norm, vector_norm=vector_norm, tensorinv=tensorinv,
              tensorsolve=tensorsolve)
__all__: list[str] = []  # numpy.linalg names only; none of them is in the numpy namespace
