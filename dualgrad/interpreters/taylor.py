"""Taylor mode: dual numbers truncated at a higher order.

A dual number ``a + b ε`` has ``ε² = 0``. Truncating at ``ε^(K+1) = 0`` instead
gives a *jet*: a value ``x_0`` and ``K`` normalised Taylor coefficients of a
curve through it,

    x(t) = x_0 + x_1 t + x_2 t^2 + ... + x_K t^K   (+ O(t^(K+1))).

Applying a primitive ``f`` gives the coefficients ``y_1..y_K`` of ``f(x(t))``, so
one forward pass carries the first K derivatives of a whole program along the
curve: ``d^k/dt^k f(x(t)) at t = 0`` is ``k! y_k``. ``K = 1`` is forward mode.

A ``Jet`` holds ``value`` (``x_0``) and ``series`` (the list ``[x_1, ..., x_K]``).
Rules live in ``TAYLOR_RULES[prim]`` (filled by ``dualgrad.rules.taylor``)::

    rule(series, ans, *vals, **kwargs) -> [y_1, ..., y_K]

``series[i]`` is the coefficient list of argument ``i``, or None for an argument
this level does not trace (a constant); ``vals`` are the arguments' values.
Rules are written with dualgrad's primitives, so a Taylor coefficient can itself be
differentiated (reverse mode over Taylor mode) or batched (many directions).

A primitive without a rule gets its coefficients from nested forward mode along
the curve (``_by_nested_forward``): correct, but it costs about ``2^(K+1)``
evaluations instead of ``O(K^2)`` operations. ``TaylorLevel.fallbacks`` counts
them by name; ``python -m dualgrad coverage`` lists which primitives have a rule.
"""
from __future__ import annotations

import collections
import math
from typing import Callable

import numpy as onp

from ..core import (BatchingError, Level, Primitive, Tracer, is_differentiable,
                    peek, shape_of, tree_flatten, tree_unflatten)
from ..core.tracer import body_answer
from . import multi_output
from .batching import Batched, BatchLevel
from .forward import push_forward
from .pending import PENDING_CLASSES, Pending

TAYLOR_RULES: dict[Primitive, Callable] = {}
# IDENTITY_RULES[prim](argnum, vals, kwargs, eye) -> the collapsed level's batched first
# coefficient of prim when argument ``argnum``, the only traced one, has the identity
# directions ``eye`` (an IdentityDirections) as its first coefficient and zero as its
# second: the Jacobian of a linear primitive, without multiplying by the identity
# (W @ x along every e_i is W^T). NotImplemented: materialise the identity instead.
IDENTITY_RULES: dict[Primitive, Callable] = {}
# COLLAPSED_UNARY[prim](x, ans) -> (f'(x), f''(x)) of a unary elementwise primitive: the
# collapsed level then needs Y_1 = f' X_1 and S_2' = f' S_2 + f''/2 sum_i X_1i^2, three
# batched operations instead of the order-2 rule run on every direction
COLLAPSED_UNARY: dict[Primitive, Callable] = {}


class Jet(Tracer):
    """A value and its normalised Taylor coefficients ``[x_1, ..., x_K]`` at one level."""

    __slots__ = ("series",)

    def __init__(self, value, series: list, level: "TaylorLevel"):
        self.value = value
        self.series = series
        self._level = level


class TaylorLevel(Level):
    """A Taylor-mode trace of order ``order``: pushes K coefficients through each primitive."""

    __slots__ = ("order", "fallbacks")

    def __init__(self, depth: int, order: int):
        super().__init__(depth)
        self.order = order
        self.fallbacks = collections.Counter()  # primitive name -> applications by nesting

    def process(self, prim, args, kwargs):
        vals, series = list(args), [None] * len(args)
        outer = False  # a tracer of another level remains among the values
        for i, a in enumerate(args):
            if type(a) is Jet and a._level is self:
                vals[i], series[i] = a.value, a.series
                outer = outer or isinstance(a.value, Tracer)
            elif isinstance(a, Tracer):
                outer = True
        ans = prim(*vals, **kwargs) if outer else body_answer(prim.fun(*vals, **kwargs),
                                                              self.depth)
        if not is_differentiable(ans):
            if multi_output.is_container_answer(ans):  # a user primitive's tuple, dict, ...
                return self._container(prim, series, ans, vals, kwargs)
            return ans
        rule = TAYLOR_RULES.get(prim)
        if rule is None:
            self.fallbacks[prim.name] += 1
            order = self.order
            rule = lambda ser, ans, *vs, **kw: _by_nested_forward(prim, vs, ser, kw, order)  # noqa
        return Jet(ans, list(self.coefficients(rule, series, ans, vals, kwargs, prim)), self)

    def coefficients(self, rule, series, ans, vals, kwargs, prim=None):
        """The answer's coefficients ``[y_1..y_K]`` from ``rule`` (for ``prim``)."""
        return rule(series, ans, *vals, **kwargs)

    def _container(self, prim, series, ans, vals, kwargs):
        """A container answer (see ``multi_output``): a jet per differentiable leaf,
        its coefficients by nested forward mode through that leaf alone."""
        leaves, td = tree_flatten(ans)
        out, order = [], self.order
        for k, leaf in enumerate(leaves):
            if not is_differentiable(leaf):
                out.append(leaf)
                continue
            self.fallbacks[prim.name] += 1
            part = (lambda k: lambda *a, **kw: tree_flatten(prim(*a, **kw))[0][k])(k)
            rule = (lambda part: lambda ser, ans, *vs, **kw:
                    _by_nested_forward(part, vs, ser, kw, order))(part)
            out.append(Jet(leaf, list(self.coefficients(rule, series, leaf, vals, kwargs)), self))
        return tree_unflatten(td, out)

    def lift(self, value) -> Jet:
        """``value`` (a constant here, perhaps traced by an enclosing transform) as a
        tracer of this level: a jet whose coefficients are the rules' exact zero.
        A pending array (``np.zeros(n)`` made here) that receives an enclosing
        transform's value becomes this."""
        return Jet(value, [0.0] * self.order, self)


class CollapsedLevel(TaylorLevel):
    """Second-order Taylor mode along ``n`` directions at once, collapsed
    (Dangel et al., "Collapsing Taylor mode", 2025).

    A value carries ``[X_1, S_2]``: ``X_1`` stacks the first coefficients of the
    ``n`` curves ``x + t e_i`` (leading axis of length ``n``), and ``S_2`` is the
    *sum* of their second coefficients. A primitive's second coefficient is affine
    in the incoming second coefficient,

        y_2(x_1, x_2) = f'(x_0) x_2 + (1/2) f''(x_0)[x_1, x_1],

    so ``sum_i y_2(x_1^i, x_2^i) = sum_i y_2(x_1^i, S_2 / n)``: one batched call of
    the order-2 rule per primitive gives ``Y_1`` and the summed ``S_2``, and the
    second-order information never travels as ``n`` separate series. With
    ``X_1 = I`` and ``S_2 = 0`` at the input, ``2 S_2`` of a scalar output is the
    Laplacian ``sum_i d^2 f / dx_i^2``.
    """

    __slots__ = ("n",)

    def __init__(self, depth: int, n: int):
        super().__init__(depth, 2)
        self.n = n

    def coefficients(self, rule, series, ans, vals, kwargs, prim=None):
        unary = COLLAPSED_UNARY.get(prim)
        if unary is not None and len(series) == 1 and not kwargs:
            return self._unary(unary, series[0], ans, vals[0])
        eyes = [i for i, s in enumerate(series) if s is not None and type(s[0]) is IdentityDirections]
        if eyes:
            traced = [i for i, s in enumerate(series) if s is not None]
            fast = IDENTITY_RULES.get(prim)
            if fast is not None and traced == eyes and len(eyes) == 1 and _zero(series[eyes[0]][1]):
                y1 = fast(eyes[0], vals, kwargs, series[eyes[0]][0])
                if y1 is not NotImplemented:
                    return [y1, 0.0]   # linear: y_2 = f'(x_0) S_2 = 0
            series = [s if s is None or type(s[0]) is not IdentityDirections else
                      [s[0].array(), s[1]] for s in series]
        try:
            y1, y2 = self._batched(rule, series, ans, vals, kwargs)
        except BatchingError:  # the rule reads a batched value (a mask): one curve at a time
            y1, y2 = self._looped(rule, series, ans, vals, kwargs)
        return [y1, y2]

    def _unary(self, derivs, s, ans, x):
        """Y_1 = f'(x) X_1 (each direction), S_2' = f'(x) S_2 + f''(x)/2 sum_i X_1i^2."""
        x1, s2 = s
        if type(x1) is IdentityDirections:
            x1 = x1.array()
        d1, d2 = derivs(x, ans)
        out2 = 0.0 if _zero(s2) else d1 * s2
        if _zero(x1):
            return [0.0, out2]
        curv = 0.5 * d2 * (x1 * x1).sum(axis=0)
        return [d1 * x1, curv if _zero(out2) else out2 + curv]

    def _batched(self, rule, series, ans, vals, kwargs):
        n = self.n
        with BatchLevel.new(n) as level:
            per_example = [None if s is None else
                           [s[0] if _zero(s[0]) else Batched(s[0], level),
                            s[1] if _zero(s[1]) else s[1] / n] for s in series]
            y1, y2 = rule(per_example, ans, *vals, **kwargs)
            y1 = y1 if _zero(y1) else _stacked(y1, level, n)
            y2 = y2 if _zero(y2) else _stacked(y2, level, n).sum(axis=0)
        return y1, y2

    def _looped(self, rule, series, ans, vals, kwargs):
        n, y1s, y2 = self.n, [], 0.0
        for i in range(n):
            one = [None if s is None else
                   [s[0] if _zero(s[0]) else s[0][i], s[1] if _zero(s[1]) else s[1] / n]
                   for s in series]
            a, b = rule(one, ans, *vals, **kwargs)
            y1s.append(a)
            y2 = b if _zero(y2) else (y2 if _zero(b) else y2 + b)
        if all(_zero(a) for a in y1s):
            return 0.0, y2
        shape = shape_of(ans)
        return onp.stack([onp.zeros(shape) if _zero(a) else a for a in y1s]), y2


class PendingJet(Pending, Jet):
    """A pending array (``y = np.zeros(n)`` while Taylor mode is innermost) that becomes
    a ``Jet`` when a jet is written into it (``y[i] = f(x)``)."""

    __slots__ = ()
    __init__ = Pending.__init__


PENDING_CLASSES[TaylorLevel] = PENDING_CLASSES[CollapsedLevel] = PendingJet


class IdentityDirections:
    """The first coefficients ``X_1 = I`` of the ``n`` curves ``x + t e_i`` (the
    Laplacian's input), kept symbolic: a linear primitive with a rule in
    ``IDENTITY_RULES`` gets its image (its Jacobian) without the product with the
    identity, which for an MLP's first layer is most of the cost; any other use
    materialises the array (``array()``, once)."""

    __slots__ = ("n", "shape", "dtype", "_array")

    def __init__(self, shape: tuple, dtype):
        self.shape, self.dtype = tuple(shape), onp.dtype(dtype)
        self.n = int(onp.prod(self.shape, dtype=int))
        self._array: onp.ndarray | None = None

    def array(self) -> onp.ndarray:
        """``eye(n)`` shaped ``(n,) + shape``."""
        if self._array is None:
            self._array = onp.eye(self.n, dtype=self.dtype).reshape((self.n,) + self.shape)
        return self._array


def _zero(c) -> bool:
    return isinstance(c, float) and c == 0.0  # the rules' exact-zero coefficient


def _stacked(c, level, n):
    """The ``n`` examples of ``c`` stacked (repeated if it is the same for all)."""
    if type(c) is Batched and c._level is level:
        return c.val
    shape = shape_of(c)  # NEP 18 sends a tracer of an outer level to dualgrad's functions
    return onp.broadcast_to(onp.reshape(c, (1,) + shape), (n,) + shape)


def push_collapsed(fun: Callable, x, directions):
    """Evaluate ``fun(x)`` on a ``CollapsedLevel`` with ``X_1 = directions`` (shape
    ``(n,) + x.shape``, or an ``IdentityDirections``) and ``S_2 = 0``; return
    ``(fun(x), Y_1, S_2, fallbacks)``."""
    n = directions.n if type(directions) is IdentityDirections else onp.shape(peek(directions))[0]
    with CollapsedLevel.new(n) as level:
        out = fun(Jet(x, [directions, 0.0], level))
        if type(out) is Jet and out._level is level:
            y1 = out.series[0]
            y1 = y1.array() if type(y1) is IdentityDirections else y1
            return out.value, y1, out.series[1], dict(level.fallbacks)
        return out, 0.0, 0.0, dict(level.fallbacks)


def _by_nested_forward(prim, vals, series, kwargs, order: int) -> list:
    """``y_k = g^(k)(0) / k!`` for ``g(t) = prim(x(t))``, each derivative by nesting
    forward mode k times (``d/dt`` of ``d/dt`` of ...) along the curve."""
    def curve(t):
        args = []
        for v, s in zip(vals, series):
            if s is None:
                args.append(v)
                continue
            x, tk = v, 1.0
            for c in s:
                tk = tk * t
                x = x + c * tk
            args.append(x)
        return prim(*args, **kwargs)

    def d(f):
        return lambda t: push_forward(f, (t,), (1.0,))[1]

    out, f = [], curve
    for k in range(1, order + 1):
        f = d(f)
        out.append(f(0.0) / math.factorial(k))
    return out


def def_taylor(prim: Primitive, rule: Callable | None = None):
    """Register ``rule(series, ans, *vals, **kwargs)`` as ``prim``'s Taylor rule."""
    def register(r):
        TAYLOR_RULES[prim] = r
        return r
    return register if rule is None else register(rule)


def push_jet(fun: Callable, primals: tuple, series: tuple, order: int):
    """Evaluate ``fun(*primals)`` with normalised coefficient lists ``series`` (one list
    of ``order`` arrays per primal); return ``(output, output coefficients)``.

    The output is one array (or scalar); an output that does not depend on the
    inputs has zero coefficients. Returns the coefficients and the level's fallback
    counts: ``(out, [y_1..y_K], fallbacks)``."""
    with TaylorLevel.new(order) as level:
        jets = tuple(Jet(p, list(s), level) for p, s in zip(primals, series))
        out = fun(*jets)
        if type(out) is Jet and out._level is level:
            return out.value, out.series, dict(level.fallbacks)
        if isinstance(out, (tuple, list, dict)):
            raise TypeError("jet: the function must return one array (or scalar); return "
                            "the outputs one at a time, or concatenate them.")
        return out, [0.0 * out for _ in range(order)], dict(level.fallbacks)


__all__ = ["Jet", "TaylorLevel", "CollapsedLevel", "TAYLOR_RULES", "IDENTITY_RULES",
           "COLLAPSED_UNARY",
           "IdentityDirections", "def_taylor", "push_jet", "push_collapsed"]
