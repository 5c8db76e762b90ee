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
histogram_bin_edges lexsort
zeros_like ones_like empty_like
floor ceil trunc rint fix around round
bitwise_and bitwise_or bitwise_xor bitwise_not invert left_shift right_shift
floor_divide gcd lcm iscomplex isdtype issubdtype
shares_memory may_share_memory
argpartition nanargmax nanargmin spacing isin in1d
zeros ones empty eye identity tri indices ix_ diag_indices diag_indices_from mask_indices
tril_indices tril_indices_from triu_indices triu_indices_from unravel_index ravel_multi_index
broadcast_shapes iterable isfortran mintypecode common_type typename einsum_path
bitwise_count bitwise_invert bitwise_left_shift bitwise_right_shift packbits unpackbits
""".split())

# floor, ceil, round, trunc, rint, fix, spacing: piecewise constant, so their
# derivative is zero almost everywhere. They stay pass-through on purpose (not
# zero-derivative primitives): the untraced result is read by every transform as
# a zero derivative, exactly, in both modes and at every order, and costs no tape.
# zeros/ones/eye/indices/...: their arguments are shapes or integers, never
# differentiable values.

# Random generators: draws, not functions of traced values.
NONDIFF_MODULES = ("random",)
