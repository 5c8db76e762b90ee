"""Compatibility names for code written against ``autograd.tracer``.

dualgrad's tracing lives in ``dualgrad.core`` (levels, ``Tracer``) with the two
modes in ``forward`` (``Dual``) and ``reverse`` (``Box``). The names here are
thin aliases onto that design:

- ``Box``: the common base of every traced value in either mode (our
  ``Tracer``), so ``isinstance(x, Box)`` means "x is being traced", as in
  autograd where one box type serves both modes;
- ``getval``, ``isbox``, ``primitive``, ``notrace_primitive``: dualgrad.core's.
"""
from .core import Tracer as Box  # noqa: F401  (compatibility name)
from .core import getval, isbox, notrace_primitive, primitive  # noqa: F401

__all__ = ["Box", "getval", "isbox", "primitive", "notrace_primitive"]
