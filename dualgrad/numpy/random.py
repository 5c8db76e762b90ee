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
from numpy.random import bit_generator, mtrand  # noqa: F401

# numpy.random's names its stubs don't export (star-import skips them too)
get_bit_generator, set_bit_generator, test = (
    getattr(_random, n) for n in ("get_bit_generator", "set_bit_generator", "test"))

from ..core import holds_tracer
from ..core.errors import random_parameter_message


def _traced_parameter(name: str) -> TypeError:
    return TypeError(random_parameter_message(f"numpy.random.{name}"))


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
