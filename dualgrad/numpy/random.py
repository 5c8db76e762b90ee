"""``dualgrad.numpy.random``: numpy.random as it is (draws are not functions
of traced values).

A draw given a traced parameter (``np.random.normal(0.0, sigma)`` inside
``grad``) raises an error that says so and shows the reparametrized form,
``mu + sigma * np.random.standard_normal(size)``, whose derivative exists.
"""
import functools as _functools

import numpy.random as _random
from numpy.random import *  # noqa: F401,F403
from numpy.random import Generator, RandomState, default_rng, seed  # noqa: F401
from numpy.random import (bit_generator, get_bit_generator, mtrand,  # noqa: F401
                          set_bit_generator, test)

from ..core import holds_tracer

_REORDER = ("permutation", "shuffle", "choice")


def _traced_parameter(name: str) -> TypeError:
    if name in _REORDER:
        fix = (f"draw indices instead and index the traced array with them, e.g. "
               f"x[np.random.permutation(len(x))] or x[np.random.choice(len(x), k)]")
    else:
        fix = ("draw standard noise and transform it with the traced values (the "
               "reparametrization trick), e.g. mu + sigma * np.random.standard_normal(size) "
               "or a + (b - a) * np.random.uniform(size=n)")
    return TypeError(
        f"numpy.random.{name} was given a traced value as a parameter; a random draw is "
        f"not a differentiable function of its parameters. To differentiate through it, "
        f"{fix}. For a constant parameter, pass dualgrad.core.getval(value).")


def _checked(name: str, draw):
    @_functools.wraps(draw)
    def checked(*args, **kwargs):
        if any(holds_tracer(a) for a in args) or any(holds_tracer(v) for v in kwargs.values()):
            raise _traced_parameter(name)
        return draw(*args, **kwargs)
    return checked


for _name in _random.__all__:
    _f = getattr(_random, _name)
    if callable(_f) and not isinstance(_f, type) and _name != "default_rng":
        globals()[_name] = _checked(_name, _f)
del _name, _f
