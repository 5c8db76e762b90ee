"""The rule families: ``RULES``, the numpy names dualgrad differentiates.

``RULES`` maps a numpy name to our differentiable version of it (a primitive
with both rules, or a function written with such primitives).
"""
from __future__ import annotations

import numpy as onp

from ..core import holds_tracer, ARRAY_FROM_SEQUENCE, Tracer, notrace_primitive
from . import complex, elementwise, linalg, reductions, shape
from . import elementwise as ew, shape as shp
from . import (construction, counting, decompositions, differences, elementwise_more, fft,
               norms, products_stats, scans, sequences, split_stack, svd_qr)
from ._helpers import astype, broadcast_to
from .nondiff import NONDIFF_NAMES
from . import views  # noqa: F401  (makes views of the view primitives' answers)

# Each family lists its numpy names in __all__; families for numpy.linalg and
# numpy.fft names add a LINALG / FFT dict {numpy name: our function}.
FAMILIES = (complex, elementwise, reductions, shape, linalg,
            elementwise_more, scans, differences, construction, split_stack, decompositions,
            svd_qr, norms, fft, products_stats, counting)

RULES: dict[str, object] = {}
LINALG_RULES: dict[str, object] = {}
FFT_RULES: dict[str, object] = {}
for _family in FAMILIES:
    for _name in _family.__all__:
        RULES[_name] = getattr(_family, _name)
    LINALG_RULES.update(getattr(_family, "LINALG", {}))
    FFT_RULES.update(getattr(_family, "FFT", {}))
RULES.update(
    abs=complex.absolute, absolute=complex.absolute, conjugate=complex.conj,
    conj=complex.conj, real=complex.real, imag=complex.imag, angle=complex.angle,
    true_divide=elementwise.divide, broadcast_to=broadcast_to,
)


# Copies of a traced array are new tracer objects (Tracer._clone), never the tracer
# itself: x[i] = y rebinds the tracer object it is applied to (copy-on-write), so
# ``y = np.array(x); y[0] = 0`` must not change x, as with numpy.
def array(obj, dtype=None, **kw):
    """numpy.array, accepting (nested) lists that hold traced values; a copy of a
    traced array (``copy=False``/``None`` may share it, as numpy's), cast to ``dtype``
    and given ``ndmin`` axes when asked."""
    if isinstance(obj, Tracer):
        out = obj._clone() if kw.get("copy", True) else obj
    elif isinstance(obj, (list, tuple)) and holds_tracer(obj):
        out = shp.array(obj)
    else:
        return shp.array(obj, dtype=dtype, **kw)
    if dtype is not None and onp.dtype(dtype) != out.dtype:
        out = astype(out, dtype=dtype)
    extra = kw.get("ndmin", 0) - out.ndim
    return shp.reshape(out, shape=(1,) * extra + out.shape) if extra > 0 else out


def positive(x, **kw):
    """numpy.positive / ``+x``: a new array equal to x."""
    if isinstance(x, Tracer):
        return x._clone()
    return array(x) if holds_tracer(x) else onp.positive(x, **kw)


_NOVALUE = onp._NoValue


def clip(a, a_min=_NOVALUE, a_max=_NOVALUE, out=None, *, min=_NOVALUE, max=_NOVALUE, **kw):
    """numpy.clip, with numpy's spellings of the bounds (a_min/a_max, or numpy 2's
    min/max keywords)."""
    if not (isinstance(a, Tracer) or holds_tracer(a) or
            any(isinstance(b, Tracer) for b in (a_min, a_max, min, max))):
        return onp.clip(a, a_min, a_max, out=out, min=min, max=max, **kw)
    if (a_min is not _NOVALUE and min is not _NOVALUE) or \
            (a_max is not _NOVALUE and max is not _NOVALUE):
        raise TypeError("clip: give each bound once (a_min= or min=, a_max= or max=).")
    lo, hi = (a_min if min is _NOVALUE else min), (a_max if max is _NOVALUE else max)
    lo, hi = (None if lo is _NOVALUE else lo), (None if hi is _NOVALUE else hi)
    if out is not None or kw:
        raise TypeError("clip(..., out=/where=/casting=) is not supported on traced arrays; "
                        "drop those arguments and use the returned value.")
    if holds_tracer(a):
        a = shp.array(a)
    return ew.clip(a, lo, hi)


def where(condition, *args, **kwargs):
    """numpy.where: ``where(c, x, y)`` differentiable in x and y; ``where(c)`` is
    ``nonzero(c)`` (indices, no derivative)."""
    if not args and not kwargs:
        return notrace_primitive(onp.where)(condition)
    if len(args) + len(kwargs) != 2 or set(kwargs) - {"x", "y"}:
        raise ValueError("either both or neither of x and y should be given")
    x = args[0] if args else kwargs["x"]
    y = args[1] if len(args) > 1 else kwargs["y"]
    if not any(isinstance(v, (Tracer, onp.ndarray, onp.generic)) or holds_tracer(v)
               for v in (condition, x, y)):
        res = onp.where(condition, x, y)  # Python values in, Python values out (autograd's)
        return res.tolist() if isinstance(res, onp.ndarray) else res
    return ew.where(condition, x, y)


RULES.update(array=array, positive=positive, clip=clip, where=where)
# primitives given a list holding tracers (np.mean([x, y])) apply to this array of it
ARRAY_FROM_SEQUENCE.append(shape.array)

for _n in ("getitem", "untake", "concatenate_args", "einsum_prim"):
    RULES.pop(_n, None)  # internal primitives, not numpy names
LINALG_RULES.update({"matmul": linalg.matmul, "tensordot": linalg.tensordot,
                     "outer": linalg.outer, "diagonal": linalg.diagonal, "trace": linalg.trace})
LINALG_RULES.update({k: v for k, v in RULES.items() if k in ("multi_dot", "vecdot", "matrix_transpose")})

from . import batch, methods  # noqa: E402,F401  (the batch table; the tracers' operators)

__all__ = ["RULES", "LINALG_RULES", "FFT_RULES", "NONDIFF_NAMES"]
from . import taylor  # noqa: E402,F401  (fills the Taylor interpreter's table)
