"""scipy.linalg: triangular solves, Cholesky, Sylvester equations, sqrtm, expm.

Matrices are 2-D here (scipy.linalg's own functions are). ``det``, ``inv`` and
``solve`` are numpy.linalg's rules (rules/decompositions.py), looked up when
called, so the two namespaces always agree.

References: Giles, "An extended collection of matrix derivative results for
forward and reverse mode AD" (2008); Murray, "Differentiation of the Cholesky
decomposition" (2016); Higham, "Functions of Matrices" §3.2 (Fréchet
derivatives through a block-triangular matrix).
"""
from __future__ import annotations

import functools

import numpy as onp
import scipy.linalg as sla

from ..core import Primitive, Tracer, peek
from ._helpers import shape_of
from .complex import conj, real
from .elementwise import multiply
from .linalg import matmul
from .shape import concatenate, getitem, reshape, transpose, untake


def _tri_mask(n, lower, k=0, dtype=float):
    # float32 (or the input's dtype): a float64 mask would promote float32 derivatives
    ones = onp.ones((n, n), dtype)
    return onp.tril(ones, -k) if lower else onp.triu(ones, k)


def _trans_code(trans) -> int:
    code = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2}[trans]
    return code


def _as_2d(x):
    return reshape(x, shape=shape_of(x) + (1,)) if len(shape_of(x)) == 1 else x


# ------------------------------------------------------------------ solve_triangular
# X = op(A)⁻¹ B with op(A) = A or Aᵀ; only A's triangle is read (its strict triangle
# when unit_diagonal), so derivatives in A live on that triangle:  with M = op(A),
#   JVP: dX = M⁻¹ (dB - dM X)           VJP: B̄ = M⁻ᵀ g,   M̄ = -B̄ Xᵀ  (masked, op'd back)
def _solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False):
    return sla.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)


solve_triangular_p = Primitive(_solve_triangular, "solve_triangular")


def _flip_trans(trans, a):
    """op(A) -> op(A)ᵀ. (The complex conjugate transpose is not holomorphic: refused.)"""
    code = _trans_code(trans)
    if code == 2 and onp.iscomplexobj(peek(a)):
        raise NotImplementedError("solve_triangular with trans='C' and complex a has no "
                                  "derivative rule; use trans='T' on conj(a) instead.")
    return 0 if code else 1


def _masked(da, trans, lower, unit_diagonal):
    n = shape_of(da)[0]
    m = multiply(da, _tri_mask(n, lower, 1 if unit_diagonal else 0, onp.result_type(peek(da))))
    return transpose(m) if _trans_code(trans) else m


def _st_jvp_a(t, ans, a, b, trans=0, lower=False, unit_diagonal=False):
    dm = _masked(t, trans, lower, unit_diagonal)
    x = _as_2d(ans)
    dx = -solve_triangular_p(a, matmul(dm, x), trans=trans, lower=lower,
                             unit_diagonal=unit_diagonal)
    return reshape(dx, shape=shape_of(ans))


def _st_vjp_a(g, ans, a, b, trans=0, lower=False, unit_diagonal=False):
    bbar = _as_2d(solve_triangular_p(a, g, trans=_flip_trans(trans, a), lower=lower,
                                     unit_diagonal=unit_diagonal))
    mbar = -matmul(bbar, transpose(_as_2d(ans)))
    return _masked(transpose(mbar) if _trans_code(trans) else mbar, 0, lower, unit_diagonal)


solve_triangular_p.def_jvp(_st_jvp_a, argnum=0)
solve_triangular_p.def_vjp(_st_vjp_a, argnum=0, reads="a ans")
solve_triangular_p.def_jvp(lambda t, ans, a, b, trans=0, lower=False, unit_diagonal=False:
                           solve_triangular_p(a, t, trans=trans, lower=lower,
                                              unit_diagonal=unit_diagonal), argnum=1)
solve_triangular_p.def_vjp(lambda g, ans, a, b, trans=0, lower=False, unit_diagonal=False:
                           solve_triangular_p(a, g, trans=_flip_trans(trans, a), lower=lower,
                                              unit_diagonal=unit_diagonal), argnum=1, reads="a")


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     check_finite=True):
    """scipy.linalg.solve_triangular, differentiable in ``a`` and ``b``."""
    if not isinstance(a, Tracer) and not isinstance(b, Tracer):
        return sla.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal,
                                    overwrite_b=overwrite_b, check_finite=check_finite)
    return solve_triangular_p(a, b, trans=_trans_code(trans), lower=lower,
                              unit_diagonal=unit_diagonal)


# ------------------------------------------------------------------ Cholesky
# scipy reads the lower triangle for lower=True and the upper one otherwise, as
# numpy.linalg.cholesky(a, upper=...) does: one primitive (rules/decompositions.py)
# serves both namespaces.
def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """scipy.linalg.cholesky (upper factor by default), differentiable."""
    if not isinstance(a, Tracer):
        return sla.cholesky(a, lower=lower, overwrite_a=overwrite_a, check_finite=check_finite)
    from .decompositions import cholesky as np_cholesky
    return np_cholesky(a, upper=not lower)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """scipy.linalg.cho_factor. For traced ``a`` the unused triangle is zero
    (scipy leaves arbitrary values there; cho_solve never reads them)."""
    if not isinstance(a, Tracer):
        return sla.cho_factor(a, lower=lower, overwrite_a=overwrite_a, check_finite=check_finite)
    return cholesky(a, lower=lower), lower


# A x = b with A = L Lᵀ (or Uᵀ U):  two triangular solves.
def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """scipy.linalg.cho_solve, differentiable in the factor and in ``b``."""
    c, lower = c_and_lower
    if not isinstance(c, Tracer) and not isinstance(b, Tracer):
        return sla.cho_solve((c, lower), b, overwrite_b=overwrite_b, check_finite=check_finite)
    first, second = (0, 1) if lower else (1, 0)
    y = solve_triangular(c, b, trans=first, lower=lower)
    return solve_triangular(c, y, trans=second, lower=lower)


# ------------------------------------------------------------------ Sylvester equation
# A X + X B = Q.
#   JVP: A dX + dX B = dQ - dA X - X dB          (one more Sylvester solve)
#   VJP: Q̄ solves Aᵀ Q̄ + Q̄ Bᵀ = g;   Ā = -Q̄ Xᵀ,  B̄ = -Xᵀ Q̄
solve_sylvester = Primitive(sla.solve_sylvester, "solve_sylvester")


def _qbar(g, a, b):
    return solve_sylvester(transpose(a), transpose(b), g)


solve_sylvester.def_jvp(lambda t, ans, a, b, q: solve_sylvester(a, b, -matmul(t, ans)), argnum=0)
solve_sylvester.def_jvp(lambda t, ans, a, b, q: solve_sylvester(a, b, -matmul(ans, t)), argnum=1)
solve_sylvester.def_jvp(lambda t, ans, a, b, q: solve_sylvester(a, b, t), argnum=2)
solve_sylvester.def_vjp(lambda g, ans, a, b, q: -matmul(_qbar(g, a, b), transpose(ans)), argnum=0,
                        reads="a b ans")
solve_sylvester.def_vjp(lambda g, ans, a, b, q: -matmul(transpose(ans), _qbar(g, a, b)), argnum=1,
                        reads="a b ans")
solve_sylvester.def_vjp(lambda g, ans, a, b, q: _qbar(g, a, b), argnum=2, reads="a b")


# ------------------------------------------------------------------ sqrtm
# X = A^(1/2), X X = A:   JVP: X dX + dX X = dA;   VJP: Ā solves Xᵀ Ā + Ā Xᵀ = g
sqrtm_p = Primitive(lambda a: sla.sqrtm(a), "sqrtm")
sqrtm_p.def_jvp(lambda t, ans, a: solve_sylvester(ans, ans, t))
sqrtm_p.def_vjp(lambda g, ans, a: solve_sylvester(transpose(ans), transpose(ans), g), reads="ans")


def sqrtm(A, disp=True, blocksize=64):
    """scipy.linalg.sqrtm (principal square root), differentiable."""
    return sqrtm_p(A)


# ------------------------------------------------------------------ expm
# The Fréchet derivative L(A, E) is the top-right block of expm([[A, E], [0, A]]).
#   JVP: L(A, dA)          VJP: L(Aᵀ, g)
def _expm_frechet(a, e):
    n = shape_of(a)[0]
    z = onp.zeros((n, n))
    block = concatenate([concatenate([a, e], axis=1), concatenate([z, a], axis=1)], axis=0)
    top = expm(block)[:n]
    return top[:, n:]


expm = Primitive(lambda A: sla.expm(A), "expm")
expm.def_jvp(lambda t, ans, a: _expm_frechet(a, t))
expm.def_vjp(lambda g, ans, a: _expm_frechet(transpose(a), g), reads="a")


# ------------------------------------------------------------------ solve_banded
# A x = b with A in banded storage ab ((l, u) = l_and_u): A[i, j] = ab[u + i - j, j].
# Band <-> dense are linear maps with constant index arrays (getitem), so with
#   JVP: dx = A⁻¹ (db - dense(dab) x)     VJP: b̄ = A⁻ᵀ g,  āb = band(-b̄ xᵀ)
# where A⁻ᵀ is a banded solve with the transposed band (l and u swapped).
def _band_index(l_and_u, n):
    l, u = l_and_u
    r, j = onp.meshgrid(onp.arange(l + u + 1), onp.arange(n), indexing="ij")
    i = r - u + j
    valid = (i >= 0) & (i < n)
    return onp.where(valid, i, 0), j, valid


def _dense(ab, l_and_u):
    """The n x n matrix stored in banded form ``ab`` (band entries only)."""
    n = shape_of(ab)[1]
    i, j, valid = _band_index(l_and_u, n)
    rows, cols = onp.nonzero(valid)
    return untake(getitem(ab, (rows, cols)), (i[rows, cols], j[rows, cols]), (n, n))


def _band(a, l_and_u):
    """The band of the n x n matrix ``a`` in banded storage (zeros off the matrix)."""
    i, j, valid = _band_index(l_and_u, shape_of(a)[0])
    return multiply(getitem(a, (i, j)), valid)


def _transpose_band(ab, l_and_u):
    return _band(transpose(_dense(ab, l_and_u)), l_and_u[::-1])


def _solve_banded(ab, b, l_and_u):
    return sla.solve_banded(l_and_u, ab, b)


solve_banded_p = Primitive(_solve_banded, "solve_banded")


def _sb_vjp_b(g, ans, ab, b, l_and_u):
    return solve_banded_p(_transpose_band(ab, l_and_u), g, l_and_u=tuple(l_and_u[::-1]))


solve_banded_p.def_jvp(lambda t, ans, ab, b, l_and_u: solve_banded_p(
    ab, -matmul(_dense(t, l_and_u), ans), l_and_u=l_and_u), argnum=0)
solve_banded_p.def_jvp(lambda t, ans, ab, b, l_and_u: solve_banded_p(ab, t, l_and_u=l_and_u),
                       argnum=1)
solve_banded_p.def_vjp(lambda g, ans, ab, b, l_and_u: _band(
    -matmul(_as_2d(_sb_vjp_b(g, ans, ab, b, l_and_u)), transpose(_as_2d(ans))), l_and_u),
    argnum=0, reads="ab ans")
solve_banded_p.def_vjp(_sb_vjp_b, argnum=1, reads="ab")


def solve_banded(l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    """scipy.linalg.solve_banded, differentiable in ``ab`` and ``b``."""
    if not isinstance(ab, Tracer) and not isinstance(b, Tracer):
        return sla.solve_banded(l_and_u, ab, b, overwrite_ab=overwrite_ab,
                                overwrite_b=overwrite_b, check_finite=check_finite)
    return solve_banded_p(ab, b, l_and_u=tuple(int(k) for k in l_and_u))


# ------------------------------------------------------------------ numpy.linalg's rules
def _numpy_linalg(name):
    return getattr(onp.linalg, name)  # on a traced array NEP 18 runs dualgrad's rules


def det(a, overwrite_a=False, check_finite=True):
    """scipy.linalg.det; traced values use numpy.linalg.det's rules."""
    if not isinstance(a, Tracer):
        return sla.det(a, overwrite_a=overwrite_a, check_finite=check_finite)
    return _numpy_linalg("det")(a)


def inv(a, overwrite_a=False, check_finite=True, **kw):
    """scipy.linalg.inv; traced values use numpy.linalg.inv's rules."""
    if not isinstance(a, Tracer):
        return sla.inv(a, overwrite_a=overwrite_a, check_finite=check_finite, **kw)
    return _numpy_linalg("inv")(a)


# scipy's solver for a structure reads only part of a (LAPACK's ?sysv/?hesv/?posv one
# triangle, 'lower' saying which; the tri/diagonal or triangular solvers their band):
# what it reads, as a full matrix, is the one the traced path solves with, so the values
# and the derivatives are those of the function scipy computes (zero in the unread part).
_READS = {"sym": "sym", "symmetric": "sym", "her": "her", "hermitian": "her",
          "pos": "her", "positive definite": "her",  # Hermitian positive definite
          "diagonal": "diagonal", "tridiagonal": "tridiagonal",
          "upper triangular": "upper", "lower triangular": "lower"}


@functools.lru_cache(maxsize=None)
def _check_structure(assume_a) -> None:
    """scipy's own ValueError for a name the installed scipy does not know (scipy 1.13
    knows 'gen', 'sym', 'her', 'pos'; later ones more): a solve with the 3x3 identity,
    which has every structure, checks it."""
    sla.solve(onp.eye(3), onp.ones(3), assume_a=assume_a)  # (scipy 1.15: tridiagonal n <= 2 fails)


def _as_read(a, assume_a, lower):
    """The matrix scipy's solver for ``assume_a`` reads from ``a``."""
    kind = _READS.get(assume_a)
    if kind is None:  # 'gen', 'general', 'banded' (all of a's entries), None (detection)
        return a
    n, dtype = shape_of(a)[-1], onp.result_type(peek(a))
    mask = lambda lo, k: _tri_mask(n, lo, k, dtype)  # noqa: E731
    if kind in ("upper", "lower"):
        return multiply(a, mask(kind == "lower", 0))
    if kind in ("diagonal", "tridiagonal"):
        k = 0 if kind == "diagonal" else 1
        return multiply(a, mask(True, -k) * mask(False, -k))  # |i - j| <= k
    strict = multiply(a, mask(lower, 1))  # the triangle read, without its diagonal
    diag = multiply(a, onp.eye(n, dtype=dtype))
    if kind == "sym":
        return strict + transpose(strict) + diag
    return strict + conj(transpose(strict)) + real(diag)  # ?hesv: the diagonal's real part


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, check_finite=True,
          assume_a=None, transposed=False):
    """scipy.linalg.solve; traced values use numpy.linalg.solve's rules on the part of
    ``a`` scipy's solver reads (one triangle for ``assume_a='sym'``, ``'her'``,
    ``'pos'``, chosen by ``lower``; the band for ``'diagonal'``, ``'tridiagonal'`` and
    the triangular ones); ``transposed=True`` solves with its transpose."""
    if not isinstance(a, Tracer) and not isinstance(b, Tracer):
        # assume_a=None is scipy's default (>= 1.15: detect the structure); older scipy
        # refuses None and defaults to "gen": left out, each scipy uses its own default
        kw = {} if assume_a is None else {"assume_a": assume_a}
        return sla.solve(a, b, lower=lower, overwrite_a=overwrite_a, overwrite_b=overwrite_b,
                         check_finite=check_finite, transposed=transposed, **kw)
    if assume_a is not None:
        _check_structure(assume_a)
    a = _as_read(a, assume_a, lower)
    return _numpy_linalg("solve")(transpose(a) if transposed else a, b)


SCIPY_LINALG = dict(solve_triangular=solve_triangular, cholesky=cholesky, cho_factor=cho_factor,
                    cho_solve=cho_solve, solve_sylvester=solve_sylvester, sqrtm=sqrtm, expm=expm,
                    det=det, inv=inv, solve=solve, solve_banded=solve_banded)
__all__: list[str] = []  # scipy names are not numpy names: not part of RULES
