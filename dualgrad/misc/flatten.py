"""Flattening nested containers of arrays into one vector, differentiably (autograd's
``autograd.misc.flatten``); the implementation is ``dualgrad.rules.flatten``."""
from ..rules.flatten import flatten, flatten_func

__all__ = ["flatten", "flatten_func"]
