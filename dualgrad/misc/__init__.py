"""Helpers that sit on top of the library: ``flatten`` (containers of arrays to
one vector and back), ``optimizers`` (sgd, rmsprop, adam) and
``fixed_points.fixed_point`` (implicit differentiation), as in autograd.misc."""
from .flatten import flatten, flatten_func  # noqa: F401
