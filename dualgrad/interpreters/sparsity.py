"""Sparsity detection: one more trace level, beside forward, reverse and batching.

A ``Sparsity`` tracer carries the value of an array (computed as usual) and,
for every element of it, the set of input elements it depends on: a
``pattern`` of shape ``(value.size, n_in)``, rows in C order, held as a narrow
padded index array or a boolean ``scipy.sparse.csr_array``
(``dualgrad.interpreters.patterns``). The input starts as the identity. Each primitive maps the patterns of
its arguments to the pattern of its answer by a *sparsity rule*
(``dualgrad.rules.sparsity``): elementwise functions keep the pattern, shape and
indexing primitives select rows, reductions take unions of rows, products are
structural. A primitive without a rule falls back to "every output element
depends on every input element any argument depends on": correct (never too
sparse), only less sparse; the level counts such fallbacks.

Values are real, so Python control flow (``if x[0] > 0``), masks in ``where``
and the choice of a ``max`` all follow the values at the point ``x``: the
pattern found is the one of the Jacobian *at x* (local). Constants that are
zero are structural zeros of products (``A @ x`` with a sparse-structured
``A``). Every rule costs O(number of nonzeros handled), never O(m * n).
"""
from __future__ import annotations

import collections
from typing import Callable

import numpy as onp
import scipy.sparse as sps

from ..core import (Level, Tracer, getval, is_container, is_differentiable, peek,
                    tree_flatten, tree_unflatten)
from .patterns import dense_fallback, empty, identity, to_csr
from .pending import PENDING_CLASSES, Pending

__all__ = ["Sparsity", "SparsityLevel", "jacobian_sparsity",
           "SPARSITY_RULES", "def_sparsity"]

# SPARSITY_RULES[prim](ans, pats, vals, kwargs) -> the pattern of ans (or a tuple of
# them for a tuple answer). pats[i] is None where argument i is not traced here;
# vals are the plain argument values; ans is the plain answer.
SPARSITY_RULES: dict = {}


def def_sparsity(prim, rule: Callable = None):
    """Register ``rule(ans, pats, vals, kwargs)`` as ``prim``'s sparsity rule."""
    def register(r):
        SPARSITY_RULES[prim] = r
        return r
    return register if rule is None else register(rule)


class Sparsity(Tracer):
    """A value and, per element, the input elements it depends on."""

    __slots__ = ("pattern",)

    def __init__(self, value, pattern, level: "SparsityLevel"):
        self.value = value
        self.pattern = pattern
        self._level = level

    def __repr__(self):
        return (f"Sparsity(shape={onp.shape(peek(self.value))}, nnz={self.pattern.nnz}, "
                f"level={self._level.depth})")


class SparsityLevel(Level):
    """A sparsity-detection trace over ``n_in`` input elements."""

    __slots__ = ("n_in", "fallbacks")

    def __init__(self, depth: int, n_in: int):
        super().__init__(depth)
        self.n_in = n_in
        self.fallbacks = collections.Counter()  # primitive name -> dense fallbacks used

    def process(self, prim, args, kwargs):
        vals, pats, outer = list(args), [None] * len(args), False
        for i, a in enumerate(args):
            if type(a) is Sparsity and a._level is self:
                vals[i], pats[i] = a.value, a.pattern
                outer = outer or isinstance(a.value, Tracer)
            elif isinstance(a, Tracer):
                outer = True
        if outer:  # values traced by outer levels: the rule sees plain ones
            ans = prim(*vals, **kwargs)
        else:  # the hot path: plain values throughout
            ans = prim.fun(*vals, **kwargs)
        if is_container(ans) and not isinstance(ans, (tuple, list)):  # a user primitive's
            leaves, td = tree_flatten(ans)  # dict or dataclass: the fallback, leaf by leaf
            self.fallbacks[prim.name] += 1
            out = dense_fallback(tuple(getval(v) for v in leaves), pats, vals, kwargs)
            return tree_unflatten(td, [self._wrap(a, p) for a, p in zip(leaves, out)])
        if outer:
            out = self._rule(prim)(_plain_tree(ans), pats, [getval(v) for v in vals], kwargs)
        else:
            out = self._rule(prim)(ans, pats, vals, kwargs)
        if isinstance(ans, (tuple, list)):
            return type(ans)(self._wrap(a, p) for a, p in zip(ans, out))
        return self._wrap(ans, out)

    def _rule(self, prim):
        rule = SPARSITY_RULES.get(prim)
        if rule is None and prim.__dict__.get("elementwise"):
            rule = SPARSITY_RULES.get("elementwise")
        if rule is None:
            self.fallbacks[prim.name] += 1
            rule = dense_fallback
        return rule

    def _wrap(self, ans, pattern):
        if ans.__class__ is onp.ndarray and ans.dtype.kind == "f" or is_differentiable(ans):
            return Sparsity(ans, pattern, self)
        return ans


class PendingSparsity(Pending, Sparsity):
    """A pending array (``dualgrad.interpreters.pending``) made while a sparsity
    detection is innermost: ``y = np.zeros(n); y[i] = f(x)`` then records the pattern."""

    __slots__ = ()
    __init__ = Pending.__init__


PENDING_CLASSES[SparsityLevel] = PendingSparsity


def _plain_tree(ans):
    if isinstance(ans, (tuple, list)):
        return type(ans)(getval(a) for a in ans)
    return getval(ans)


# ------------------------------------------------------------ entry points
class SparsityInfo(collections.namedtuple("SparsityInfo", "pattern fallbacks")):
    """A detected pattern and the primitives that used the dense fallback
    (``{name: count}``; empty when every step had an exact rule)."""


def _check_input(x, who: str) -> onp.ndarray:
    x = onp.asarray(getval(x)) if isinstance(x, Tracer) else onp.asarray(x)
    if x.dtype.kind not in "fiub":
        raise TypeError(f"{who}: x must be a real array, got dtype {x.dtype}. Sparse "
                        "Jacobians are defined over real inputs; split a complex input "
                        "into its real and imaginary parts.")
    if x.dtype.kind != "f":
        x = x.astype(float)
    return x


def jacobian_sparsity(fun: Callable, x, *, info: bool = False) -> "sps.csr_array | SparsityInfo":
    """The Jacobian's sparsity pattern of ``fun`` at ``x``: a boolean
    ``scipy.sparse.csr_array`` of shape ``(out.size, x.size)`` (rows: the output
    raveled in C order; columns: ``x`` raveled), True where output ``i`` depends
    on input ``j``. Found in one evaluation of ``fun`` at the sparsity level.

    Parameters
    ----------
    fun : callable
        One real array in, one array out.
    x : array_like
        The point (``where`` masks and branches follow the values there).
    info : bool, optional
        Return a ``SparsityInfo(pattern, fallbacks)``: ``fallbacks`` maps the
        primitives without a sparsity rule (taken as dense) to their counts.

    Returns
    -------
    scipy.sparse.csr_array or SparsityInfo
        The boolean pattern, shape ``(out.size, x.size)``.

    Raises
    ------
    TypeError
        When ``x`` is not a real array, or ``fun`` returns a container.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> jacobian_sparsity(lambda x: x[1:] - x[:-1], np.zeros(4)).toarray().astype(int)
    array([[1, 1, 0, 0],
           [0, 1, 1, 0],
           [0, 0, 1, 1]])
    """
    x = _check_input(x, "jacobian_sparsity")
    n = x.size
    with SparsityLevel.new(n) as level:
        out = fun(Sparsity(x, identity(n), level))
    if isinstance(out, (tuple, list, dict)):
        raise TypeError("jacobian_sparsity: fun must return one array, not a "
                        f"{type(out).__name__}; concatenate the raveled outputs.")
    if type(out) is Sparsity and out._level is level:
        pattern = out.pattern
    else:  # the output does not depend on x
        pattern = empty(int(onp.size(peek(out))), n)
    pattern = to_csr(pattern)
    return SparsityInfo(pattern, dict(level.fallbacks)) if info else pattern
