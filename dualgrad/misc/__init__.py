"""Helpers that sit on top of the library: ``flatten`` (containers of arrays to
one vector and back), ``optimizers`` (sgd, rmsprop, adam) and
``fixed_points.fixed_point`` (implicit differentiation), as in autograd.misc;
``tracers.const_graph`` records a function's primitives once and replays them."""
from .flatten import flatten, flatten_func  # noqa: F401
from .tracers import const_graph  # noqa: F401

__all__ = ["flatten", "flatten_func", "const_graph"]
