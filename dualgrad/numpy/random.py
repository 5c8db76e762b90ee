"""``dualgrad.numpy.random``: numpy.random as it is (draws are not functions
of traced values)."""
from numpy.random import *  # noqa: F401,F403
from numpy.random import Generator, RandomState, default_rng, seed  # noqa: F401
