"""Small matrix helpers shared by the numpy.linalg rule families
(decompositions, svd_qr, norms): transposes, diagonals, and packing the
factors of a decomposition into one array."""
from __future__ import annotations

import numpy as onp

from ..core import Tracer, getval, peek, plain_function
from ._helpers import shape_of
from .complex import conj, real
from .elementwise import multiply, where
from .linalg import diagonal
from .shape import concatenate, getitem, reshape, swapaxes

def _cplx(x) -> bool:
    return onp.iscomplexobj(peek(x))


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
    return multiply(reshape(v, shape=shape_of(v)[:-1] + (1, n)), onp.eye(n))


def _col(v):
    return reshape(v, shape=shape_of(v) + (1,))


def _row(v):
    return reshape(v, shape=shape_of(v)[:-1] + (1, shape_of(v)[-1]))


def _any_traced(*args) -> bool:
    return any(isinstance(a, Tracer) for a in args)


def _pack(parts, batch):
    """Factors with a common batch shape as one array ``batch + (total,)``."""
    return concatenate([reshape(p, shape=batch + (-1,)) for p in parts], axis=-1)


def _unpack(packed, batch, shapes):
    out, start = [], 0
    for s in shapes:
        stop = start + int(onp.prod(s, dtype=int))
        out.append(reshape(getitem(packed, (Ellipsis, slice(start, stop))), shape=batch + s))
        start = stop
    return out


def _gap_inverse(w):
    """F[i, j] = 1 / (w_j - w_i) off the diagonal; 0 on it and at ties."""
    d = _row(w) - _col(w)
    tie = _is_zero(d)
    return where(tie, 0.0, 1.0 / where(tie, 1.0, d))


@plain_function
def _is_zero(x):
    return getval(x) == 0
