"""Sparse Jacobians and Hessians of vector fields.

- :func:`jacobian_sparsity` / :func:`hessian_sparsity`: the pattern, found by one
  evaluation at a sparsity trace level (``dualgrad.interpreters.sparsity``);
- colourings of it (``dualgrad.sparse.colour``): column, row, star, and a
  bidirectional split (``mode="bi"``);
- :func:`jacobian` / :func:`hessian`: reusable objects giving a
  ``scipy.sparse.csr_array`` from one compressed batched pass;
- :func:`linear_operator`: the Jacobian as a matrix-free ``LinearOperator``.

scipy is imported when one of these is first used, not with ``dualgrad``.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .operator import linear_operator

if TYPE_CHECKING:  # the real signatures for type checkers; at run time they load on first use
    from ..interpreters.sparsity import jacobian_sparsity as jacobian_sparsity
    from .colour import bicolouring as bicolouring
    from .colour import column_colouring as column_colouring
    from .colour import row_colouring as row_colouring
    from .colour import star_colouring as star_colouring
    from .derivatives import PatternChanged as PatternChanged
    from .derivatives import SparseChoice as SparseChoice
    from .derivatives import SparseHessian as SparseHessian
    from .derivatives import SparseJacobian as SparseJacobian
    from .derivatives import hessian as hessian
    from .derivatives import hessian_sparsity as hessian_sparsity
    from .derivatives import jacobian as jacobian

_D, _C = "dualgrad.sparse.derivatives", "dualgrad.sparse.colour"
_LAZY = {"jacobian": _D, "hessian": _D, "SparseJacobian": _D, "SparseHessian": _D,
         "SparseChoice": _D, "PatternChanged": _D, "hessian_sparsity": _D,
         "jacobian_sparsity": "dualgrad.interpreters.sparsity",
         "column_colouring": _C, "row_colouring": _C, "star_colouring": _C, "bicolouring": _C}

__all__ = ["linear_operator", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])  # scipy.sparse: loaded on first use
        importlib.import_module("dualgrad.rules.sparsity")  # the sparsity rules fill the table
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
