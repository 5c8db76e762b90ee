"""numpy functions with no derivative to carry: their output is discrete
(comparisons, argmax, counts), a shape or dtype query, or a constructor that
ignores the values of its arguments (zeros_like). They see through tracers
and record nothing.
"""
from __future__ import annotations

NONDIFF_NAMES = frozenset("""
shape ndim size result_type can_cast min_scalar_type promote_types iscomplexobj isrealobj
isscalar iscomplex isreal isfinite isinf isnan isneginf isposinf isnat signbit
equal not_equal less less_equal greater greater_equal logical_and logical_or logical_not
logical_xor array_equal array_equiv allclose isclose all any
argmax argmin argsort argwhere nonzero flatnonzero count_nonzero searchsorted digitize
bincount histogram histogram2d histogramdd histogram_bin_edges unique lexsort
zeros_like ones_like empty_like full_like
floor ceil trunc rint fix around round
bitwise_and bitwise_or bitwise_xor bitwise_not invert left_shift right_shift
floor_divide gcd lcm iscomplex isdtype issubdtype
shares_memory may_share_memory
""".split())

# floor, ceil, round, ...: piecewise constant, so their derivative is zero
# almost everywhere; returning an untraced value gives exactly that.

# Random generators: draws, not functions of traced values.
NONDIFF_MODULES = ("random",)
