"""autograd.differential_operators: dualgrad's transforms, with autograd's ``jacobian``.

Every name is ``dualgrad.differential_operators``' except ``jacobian``: autograd's
computes the Jacobian in reverse mode (one forward pass, then one VJP per output
element), and code written for it relies on that cost (PennyLane counts the
device executions a Jacobian takes; a user primitive with only a VJP is evaluated
once). So under the alias ``jacobian`` is dualgrad's with ``mode="rev"`` unless the
caller names a mode; ``dualgrad.jacobian`` itself keeps its mode choice.
"""
from __future__ import annotations

from typing import Callable

from .. import differential_operators as _ours
from ..builtins import tuple as atuple  # noqa: F401  (autograd's name for it here)
from ..differential_operators import *  # noqa: F401,F403
from ..differential_operators import __all__  # noqa: F401
from ..transforms import jacobian as _jacobian


def jacobian(fun: Callable, argnum=0, **options) -> Callable:
    """autograd's ``jacobian(fun, argnum)``: ``J[i..., j...] = d out[i...] / d x[j...]``,
    by reverse mode (``options`` are ``dualgrad.jacobian``'s, ``mode`` included)."""
    options.setdefault("mode", "rev")
    return _jacobian(fun, argnum, **options)


jacobian.__wrapped__ = _ours.jacobian
