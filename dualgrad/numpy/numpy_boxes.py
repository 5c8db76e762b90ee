"""Compatibility name for ``autograd.numpy.numpy_boxes``.

``ArrayBox`` is dualgrad's ``Tracer``: the base class of traced values in both
forward (``Dual``) and reverse (``Box``) mode, with numpy's operators and array
methods. ``isinstance(x, ArrayBox)`` therefore means "x is a traced array",
as in autograd.
"""
from ..core import Tracer as ArrayBox  # noqa: F401  (compatibility name)

__all__ = ["ArrayBox"]
