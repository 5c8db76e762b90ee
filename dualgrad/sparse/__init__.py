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

from .operator import linear_operator

_D, _C = "dualgrad.sparse.derivatives", "dualgrad.sparse.colour"
_LAZY = {"jacobian": _D, "hessian": _D, "SparseJacobian": _D, "SparseHessian": _D,
         "SparseChoice": _D, "PatternChanged": _D, "hessian_sparsity": _D,
         "jacobian_sparsity": "dualgrad.interpreters.sparsity",
         "column_colouring": _C, "row_colouring": _C, "star_colouring": _C, "bicolouring": _C}

__all__ = ["linear_operator", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])  # scipy.sparse: loaded on first use
        importlib.import_module("dualgrad.rules.sparsity")  # the sparsity rules fill the table
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
