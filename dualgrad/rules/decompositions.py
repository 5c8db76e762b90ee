"""numpy.linalg: inverses, determinants, solves, Cholesky and eigendecompositions
(SVD and QR are in svd_qr.py, norms and composites in norms.py).

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

from ..core import Primitive, getval, peek
from ..core.duck import no_silent_fallback
from ..core.mp import MP
from ._helpers import holds_mp, shape_of, unbroadcast
from .complex import cast_like, imag, real
from .elementwise import exp, multiply
from .linalg import matmul
from .reductions import sum as rsum
from ._matrix import (_H, _T, _any_traced, _cj, _col, _cplx, _diag, _diag_embed,
                      _gap_inverse, _pack, _re, _row, _unpack)

EighResult = namedtuple("EighResult", ["eigenvalues", "eigenvectors"])
EigResult = namedtuple("EigResult", ["eigenvalues", "eigenvectors"])
SlogdetResult = namedtuple("SlogdetResult", ["sign", "logabsdet"])


# ------------------------------------------------------------------ inv
# X = A⁻¹     JVP: dX = -X dA X        VJP: Ā = -Xᵀ g Xᵀ                      [G 2.2.3]
# mpmath numbers (object arrays of dualgrad.core.mp.MP): LAPACK has no object loop, so
# solve, inv and det go through mpmath's matrices at the working precision.
def _mp_matrix(a):
    import mpmath  # deferred: only mpmath numbers need it
    a = onp.asarray(a, dtype=object)
    if a.ndim != 2:
        raise TypeError("dualgrad: solve/inv/det of mpmath numbers take one matrix, not a "
                        f"stack of shape {a.shape}.")
    return mpmath.matrix([[getattr(e, "v", e) for e in row] for row in a])


def _mp_array(m, shape):
    out = onp.empty(shape, object)
    flat = [MP(m[i, j]) for i in range(m.rows) for j in range(m.cols)]
    for k, v in enumerate(flat):
        out.flat[k] = v
    return out


def _inv(a):
    if holds_mp(a):
        return _mp_array(_mp_matrix(a) ** -1, onp.shape(a))
    return onp.linalg.inv(a)


def _solve(a, b):
    if holds_mp(a) or holds_mp(b):
        import mpmath
        A, B = _mp_matrix(a), onp.asarray(b, dtype=object)
        cols = B[:, None] if B.ndim == 1 else B
        x = mpmath.lu_solve(A, mpmath.matrix([[getattr(e, "v", e) for e in row]
                                              for row in cols]))
        return _mp_array(x, onp.shape(b))
    return onp.linalg.solve(a, b)


def _det(a):
    if holds_mp(a):
        import mpmath
        return MP(mpmath.det(_mp_matrix(a)))
    return onp.linalg.det(a)


inv = Primitive(_inv, "inv")
inv.def_jvp(lambda t, ans, a: -matmul(ans, matmul(t, ans)))
inv.def_vjp(lambda g, ans, a: cast_like(-matmul(_T(ans), matmul(g, _T(ans))), a), reads="ans")


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


solve = Primitive(_solve, "solve")
solve.def_jvp(_solve_jvp_a, argnum=0)
solve.def_jvp(lambda t, ans, a, b: solve(a, t), argnum=1)
solve.def_vjp(_solve_vjp_a, argnum=0, reads="a ans")
solve.def_vjp(_solve_vjp_b, argnum=1, reads="a")


# ------------------------------------------------------------------ det, slogdet
# d = det A    JVP: dd = d tr(A⁻¹ dA)     VJP: Ā = g d A⁻ᵀ                      [G 2.2.4]
def _trace(x):
    return rsum(_diag(x), axis=-1)


# At a singular A (A⁻¹ does not exist, numpy raises) both rules use the adjugate,
# d A⁻¹ = adj(A), which exists everywhere:  dd = tr(adj(A) dA),  Ā = g adj(A)ᵀ.
# adj(A)ⱼᵢ = (-1)^(i+j) det(A without row i and column j), built of det and indexing,
# so it is itself differentiable (higher orders at singular A too).
def _adjugate(a):
    n = shape_of(a)[-1]
    if n == 1:
        return onp.ones(shape_of(a), onp.result_type(peek(a)))
    keep = onp.array([[r for r in range(n) if r != i] for i in range(n)])  # (n, n-1)
    minors = a[..., keep[:, None, :, None], keep[None, :, None, :]]      # (..., n, n, n-1, n-1)
    signs = (-1.0) ** onp.add.outer(onp.arange(n), onp.arange(n))
    return _T(signs * det(minors))


def _det_jvp(t, ans, a):
    try:
        return ans * _trace(solve(a, t))
    except onp.linalg.LinAlgError:  # singular a
        return _trace(matmul(_adjugate(a), t))


def _det_vjp(g, ans, a):
    try:
        return cast_like(_col(_col(g * ans)) * _T(inv(a)), a)
    except onp.linalg.LinAlgError:  # singular a
        return cast_like(_col(_col(g)) * _T(_adjugate(a)), a)


det = Primitive(no_silent_fallback(_det, "det"), "det")
det.def_jvp(_det_jvp)
det.def_vjp(_det_vjp, reads="a ans")


# ℓ = log det A: log|det A| for real A; log|det A| + i arg(det A) for complex A
# (holomorphic there).   JVP: dℓ = tr(A⁻¹ dA)      VJP: Ā = g A⁻ᵀ
def _logdet(a):
    sign, logabs = onp.linalg.slogdet(a)
    return logabs + onp.log(sign) if onp.iscomplexobj(a) else logabs


logdet = Primitive(no_silent_fallback(_logdet, "logdet"), "logdet")
logdet.def_jvp(lambda t, ans, a: _trace(solve(a, t)))
logdet.def_vjp(lambda g, ans, a: cast_like(_col(_col(g)) * _T(inv(a)), a), reads="a")


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


pinv_p = Primitive(no_silent_fallback(lambda a, **kw: onp.linalg.pinv(a, **kw), "pinv"), "pinv")
pinv_p.def_jvp(_pinv_jvp)
pinv_p.def_vjp(_pinv_vjp, reads="a ans")


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
cholesky_p.def_vjp(_chol_vjp, reads="ans")


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


eigh_p = Primitive(no_silent_fallback(_eigh_impl, "eigh"), "eigh")
eigh_p.def_jvp(_eigh_jvp)
eigh_p.def_vjp(_eigh_vjp, reads="ans")


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


eig_p = Primitive(no_silent_fallback(_eig_impl, "eig"), "eig")
eig_p.def_jvp(_eig_jvp)
eig_p.def_vjp(_eig_vjp, reads="ans")


def eig(a):
    """numpy.linalg.eig (distinct eigenvalues assumed)."""
    if not _any_traced(a):
        return onp.linalg.eig(a)
    batch, shapes = _square_shapes(a)
    return EigResult(*_unpack(eig_p(a), batch, shapes))


def eigvals(a):
    """numpy.linalg.eigvals."""
    return eig(a)[0] if _any_traced(a) else onp.linalg.eigvals(a)


LINALG = dict(inv=inv, solve=solve, det=det, slogdet=slogdet, pinv=pinv, cholesky=cholesky,
              eigh=eigh, eigvalsh=eigvalsh, eig=eig, eigvals=eigvals)
__all__: list[str] = []  # numpy.linalg names only; none of them is in the numpy namespace
