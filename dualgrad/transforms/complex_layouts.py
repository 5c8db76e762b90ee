"""Jacobians and Hessians with complex inputs or outputs.

``jacobian(f)`` returns one array shaped ``out.shape + x.shape`` whatever the
dtypes. Its entry (i, j), for ``f_i = u_i + i v_i`` and input entry ``x_j``:

- real ``x_j``:     df_i/dx_j = du_i/dx_j + i dv_i/dx_j  (complex iff f is; R->C
                    gives the complex matrix dF/dx);
- complex ``z_j = x_j + i y_j``:  du_i/dx_j - i du_i/dy_j, grad's convention
                    applied to entry i: row i of ``jacobian(f)`` is
                    ``grad(lambda z: f(z)[i])``, so for holomorphic f the entry is
                    the complex derivative df_i/dz_j, and for a real f it is the
                    gradient. (As with grad, v is not seen: for all four partials
                    use the real layout.)

Both modes give the same array: forward mode pushes the real directions e_j
(giving d f/dx_j) and the imaginary ones i e_j (d f/dy_j); reverse mode pulls
the real output directions e_i (giving du_i/dx - i du_i/dy) and the imaginary
ones i e_i (giving -(dv_i/dx - i dv_i/dy)). ``complex_columns`` and
``complex_rows`` combine those into the layout above.

``jacobian(f, complex_layout="real")`` (``real_jacobian``) is the Jacobian of
f seen as a map between real vector spaces: a 2-D real matrix of shape
``(vspace(f(x)).size, vspace(x).size)``, coordinates in vspace's flatten order
(all real parts of an array, then all its imaginary parts). For complex z
(n entries) and f (m entries) that is the block matrix

    [[du/dx, du/dy],
     [dv/dx, dv/dy]]        (each block m x n; for scalars the full 2x2).

``hessian(f, complex_layout="real")`` (``real_hessian``) is the real
(2n x 2n for complex z) Hessian of the real scalar u = Re f(z).
"""
from __future__ import annotations

import numpy as onp

from ..core import peek
from ..core.spaces import tree_flatten, tree_unflatten, vspace
from ..rules.complex import is_complex

LAYOUTS = ("complex", "real")


def check_layout(complex_layout: str) -> None:
    if complex_layout not in LAYOUTS:
        raise ValueError(f"complex_layout must be 'complex' (one complex array, grad's "
                         f"convention) or 'real' (the real block matrix), not {complex_layout!r}.")


def _is_complex(v) -> bool:
    return is_complex(v)   # NumPy's complex dtypes, and mpmath's mpc (rules.complex)


# ---------------------------------------------------------------- the complex layout
def complex_columns(block, leaf, out):
    """Forward mode: ``block``'s last axis holds J e_k for every real direction of
    the input ``leaf`` (the n real directions, then the n imaginary ones for a
    complex leaf). Returns the n columns of the complex layout."""
    from ..numpy import real
    n = block.shape[-1]
    if not _is_complex(leaf):
        return block
    h = n // 2
    dx, dy = block[..., :h], block[..., h:]
    if _is_complex(out):
        dx, dy = real(dx), real(dy)
    return dx - 1j * dy                       # du/dx - i du/dy


def complex_rows(rows, leaf, out):
    """Reverse mode: ``rows`` leads with the cotangents of every real output
    direction (the m real ones, then the m imaginary ones for a complex
    output). Returns the m rows of the complex layout for input ``leaf``."""
    if not _is_complex(out):
        return rows
    m = int(onp.prod(onp.shape(peek(out)), dtype=int))
    if _is_complex(leaf):
        return rows[:m]                       # vjp(e_i) = du/dx - i du/dy
    return rows[:m] - 1j * rows[m:]           # u_x - i (-v_x) = df/dx


# ---------------------------------------------------------------- the real layout
def flatten_traced(tree):
    """vspace(tree).flatten, written with dualgrad operations so that it can be
    differentiated (and nested): a real 1-D array of the real coordinates."""
    from ..numpy import concatenate, imag, ravel, real
    parts = []
    for leaf in tree_flatten(tree)[0]:
        if _is_complex(leaf):
            parts += [ravel(real(leaf)), ravel(imag(leaf))]
        else:
            parts.append(ravel(leaf))
    return concatenate(parts) if len(parts) > 1 else parts[0]


def unflatten_traced(v, like):
    """vspace(like).unflatten(v), differentiably: real coordinates back to values
    shaped (and typed) like the leaves of ``like``."""
    from ..numpy import reshape
    from ..rules._helpers import astype
    leaves, td = tree_flatten(like)
    out, k = [], 0
    for leaf in leaves:
        sp = vspace(leaf)
        if sp.iscomplex:
            h = sp.size // 2
            val = v[k:k + h] + 1j * v[k + h:k + sp.size]
        else:
            val = v[k:k + sp.size]
        k += sp.size
        val = reshape(val, shape=sp.shape)
        if onp.result_type(peek(val)) != sp.dtype:
            val = astype(val, dtype=sp.dtype)
        out.append(val)
    return tree_unflatten(td, out)


def real_jacobian(unary, x, jacobian, **options):
    """The real Jacobian d flat(f(x)) / d flat(x), shape (M, N) (see the module
    docstring); ``jacobian`` is the transform to use on the real map, with its
    ``options`` (mode, batch, ...)."""
    def as_real(v):
        return flatten_traced(unary(unflatten_traced(v, x)))
    return jacobian(as_real, **options)(flatten_traced(x))


def real_hessian(unary, x, hessian, **options):
    """The real Hessian of u = Re f, over the real coordinates of x: (N, N)."""
    from ..numpy import real

    def u(v):
        out = unary(unflatten_traced(v, x))
        return real(out) if _is_complex(out) else out
    return hessian(u, **options)(flatten_traced(x))


__all__ = ["complex_columns", "complex_rows", "real_jacobian", "real_hessian",
           "flatten_traced", "unflatten_traced", "check_layout", "LAYOUTS"]
