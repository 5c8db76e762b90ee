"""``dualgrad.numpy.linalg``: numpy.linalg, differentiable where rules exist."""
import typing as _typing

import numpy.linalg as _onp_linalg

from ..rules import LINALG_RULES as _RULES
from ..rules.shape import array as _array, swapaxes as _swapaxes
from . import _wrap

KINDS = _wrap.build(globals(), _onp_linalg, _RULES, frozenset({"matrix_rank"}),
                    "numpy.linalg.")

if _typing.TYPE_CHECKING:  # the names are made at import time (_wrap.build): to a type checker, Any
    def __getattr__(name: str) -> _typing.Any: ...


def T(x):
    """The transpose of the last two axes (autograd.numpy.linalg.T)."""
    return _swapaxes(_array(x) if isinstance(x, (list, tuple)) else x, -1, -2)


def _dot(a, b):
    """Matrix product over the last two axes, broadcasting the others (autograd's
    private helper, used by its tests)."""
    return matmul(a, b)  # noqa: F821  (defined by _wrap.build)
