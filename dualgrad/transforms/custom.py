"""JAX's ``stop_gradient``, ``custom_jvp`` and ``custom_vjp``, built on the extension API.

- ``stop_gradient(x)``: the value of ``x`` with derivative zero, for every enclosing
  transform at once (forward, reverse, nested), batched elementwise under ``vmap``.
- ``custom_jvp(f)`` with ``f.defjvp(jvp)``: ``jvp(primals, tangents) -> (out, t_out)``
  is ``f``'s forward-mode rule. Reverse mode transposes it: the tangent output is
  linear in the tangents, so its VJP (reverse mode through ``jvp`` itself, at zero
  tangents) is the cotangent map, as JAX transposes a linear JVP.
- ``custom_vjp(f)`` with ``f.defvjp(fwd, bwd)``: ``fwd(*args) -> (out, residuals)``,
  ``bwd(residuals, g) -> (one cotangent per argument)``. Forward mode has no rule, and
  a transform needing one falls back to reverse mode as for any VJP-only primitive
  (``dualgrad.transforms.fallback``).

Each decorated function is one ``Primitive`` whose positional arguments are the leaves
of the differentiable arguments (so containers of tracers are seen), with the
structure and the ``nondiff_argnums`` values passed as a keyword. Its rules are
written in dualgrad's numpy, so they are differentiated again under nesting; under
``vmap`` the primitive has no batch rule, so the batching interpreter applies it
example by example (the same results).
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Sequence

import numpy as onp

from ..core import (ALL, ANY, Primitive, Tracer, is_differentiable, peek,
                    tree_flatten, tree_map, tree_unflatten, vspace)
from ..interpreters.batching import def_batch_elementwise
from ..interpreters.multi_output import plain
from ..interpreters.reverse import pull_back
from ..interpreters.taylor import def_taylor


# ------------------------------------------------------------------ stop_gradient
def _identity(x):
    return x


_stop = Primitive(_identity, "stop_gradient")
_stop.def_jvp(lambda t, ans, x: onp.zeros(onp.shape(peek(x)), onp.result_type(peek(t))))
_stop.def_vjp(lambda g, ans, x: onp.zeros(onp.shape(peek(x)), onp.result_type(peek(g))),
              reads=())
def_batch_elementwise(_stop)
def_taylor(_stop, lambda series, ans, x: [0.0] * len(series[0]))  # the exact zeros


def stop_gradient(x: Any) -> Any:
    """The value of ``x``, treated as a constant by every transform (JAX's
    ``jax.lax.stop_gradient``; PyTorch's ``x.detach()``).

    Its derivative is zero in forward and reverse mode and at every level of
    nesting: ``grad(lambda x: x * stop_gradient(x))(3.0)`` is 3, not 6.

    Parameters
    ----------
    x : array_like or container
        An array, a number, or a tuple/list/dict/dataclass of them; the leaves
        that are not floating point (integers, strings) pass unchanged.

    Returns
    -------
    array_like or container
        ``x``'s values, in ``x``'s structure.

    Raises
    ------
    Nothing: any value is accepted.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import grad, stop_gradient
    >>> float(grad(lambda x: x * stop_gradient(x))(3.0))
    3.0
    >>> float(grad(lambda x: np.sum(stop_gradient({"a": x})["a"] + x))(1.0))
    1.0
    """
    return tree_map(lambda v: _stop(v) if isinstance(v, Tracer) and is_differentiable(v)
                    else v, x)


# ------------------------------------------------------------------- shared parts
def _nondiff(argnums: Sequence[int], who: str) -> tuple[int, ...]:
    if isinstance(argnums, int):
        argnums = (argnums,)
    try:
        argnums = tuple(argnums)
    except TypeError:
        raise TypeError(f"{who}: nondiff_argnums is a tuple of ints, not {argnums!r}.") from None
    if not all(isinstance(i, (int, onp.integer)) and i >= 0 for i in argnums):
        raise TypeError(f"{who}: nondiff_argnums is a tuple of non-negative ints, not "
                        f"{argnums!r}.")
    return tuple(sorted(set(int(i) for i in argnums)))


class _Custom:
    """What custom_jvp and custom_vjp share: the split of a call's arguments into the
    differentiable ones (flattened into the primitive's positional arguments) and the
    ``nondiff_argnums`` ones (held in a keyword)."""

    kind = "custom"

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        if not callable(fun):
            raise TypeError(f"{self.kind} decorates a function, not {fun!r}.")
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = _nondiff(nondiff_argnums, self.kind)
        try:
            self._sig = inspect.signature(fun)
        except (TypeError, ValueError):  # a builtin: positional arguments only
            self._sig = None
        self.prim = Primitive(self._impl, getattr(fun, "__name__", self.kind))
        self.prim.array_likes = False  # its arguments are leaves, given as they are

    def _positional(self, args: tuple, kwargs: dict) -> tuple:
        if not kwargs:
            return args
        if self._sig is None:
            raise TypeError(f"{self.kind}: {self.__name__} takes positional arguments only.")
        bound = self._sig.bind(*args, **kwargs)
        bound.apply_defaults()
        if bound.kwargs:
            raise TypeError(f"{self.kind}: {self.__name__}'s keyword-only arguments cannot be "
                            "given; pass every argument positionally.")
        return tuple(bound.args)

    def _split(self, args: tuple):
        for i in self.nondiff_argnums:
            if i >= len(args):
                raise TypeError(f"{self.kind}: nondiff_argnums={self.nondiff_argnums} but "
                                f"{self.__name__} was called with {len(args)} argument(s).")
            # (a jit trace's value is recorded, not differentiated: _quiet)
            if any(isinstance(v, Tracer) and not v._quiet for v in tree_flatten(args[i])[0]):
                raise TypeError(
                    f"{self.kind}: argument {i} of {self.__name__} is in nondiff_argnums "
                    "but is being differentiated (it holds a tracer); take it out of "
                    "nondiff_argnums, or hold it constant (stop_gradient).")
        nondiff = tuple(args[i] for i in self.nondiff_argnums)
        diff = tuple(a for i, a in enumerate(args) if i not in self.nondiff_argnums)
        leaves, td = tree_flatten(diff)
        return leaves, (td, nondiff, len(args))

    def _args(self, leaves, meta) -> tuple:
        """The full argument tuple from the primitive's leaves and its meta keyword."""
        td, nondiff, n = meta
        diff = iter(tree_unflatten(td, list(leaves)))
        fixed = dict(zip(self.nondiff_argnums, nondiff))
        return tuple(fixed[i] if i in fixed else next(diff) for i in range(n))

    def _impl(self, *leaves, _meta):
        return self.fun(*self._args(leaves, _meta))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._ready()
        leaves, meta = self._split(self._positional(args, kwargs))
        return self.prim(*leaves, _meta=meta)

    def __get__(self, obj, objtype=None):  # as a method
        return self if obj is None else functools.partial(self, obj)

    def _ready(self) -> None:
        raise NotImplementedError


def _same(a, b) -> bool:
    """The rules' one-entry memo: the same node of a backward pass asks for each of its
    arguments' cotangents with the very same objects (a cheap identity test; the
    memo holds them, so no id is reused while it stands)."""
    return a is not None and len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _zeros_like(v):
    return vspace(peek(v)).zeros()


# -------------------------------------------------------------------- custom_jvp
class custom_jvp(_Custom):
    """A function with a forward-mode rule of its own (JAX's ``jax.custom_jvp``).

    Decorate ``f``, then give the rule with ``@f.defjvp``::

        @custom_jvp
        def f(x, y): ...

        @f.defjvp
        def f_jvp(primals, tangents):
            x, y = primals
            tx, ty = tangents
            return f(x, y), <the tangent of f(x, y)>

    ``f`` itself is called when nothing is differentiated; the rule replaces it
    under ``jvp``, ``jacfwd`` and forward mode. Reverse mode (``grad``,
    ``jacrev``) transposes the rule (its tangent output is linear in the
    tangents). With ``nondiff_argnums=(i, ...)`` those arguments are held
    constant and come first in the rule: ``jvp(*nondiff, primals, tangents)``,
    where ``primals`` and ``tangents`` leave them out.

    Parameters
    ----------
    fun : callable
        The function.
    nondiff_argnums : tuple of int, optional
        Positions of arguments that are not differentiated (Python values such as
        a function or a flag, or arrays to hold constant).

    Returns
    -------
    custom_jvp
        A callable with ``fun``'s signature and the methods ``defjvp`` and
        ``defjvps``.

    Attributes
    ----------
    jvp : callable or None
        The rule given with ``defjvp`` (``defjvps`` builds one).

    Raises
    ------
    TypeError
        If ``fun`` is not callable or ``nondiff_argnums`` is not a tuple of ints; when
        called, if no rule was given, or an argument in ``nondiff_argnums`` holds a
        value being differentiated; when differentiated, if the rule does not
        return a pair ``(out, tangent_out)`` shaped like ``fun``'s output.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import custom_jvp, grad, jvp
    >>> @custom_jvp
    ... def norm(x):
    ...     return np.sqrt(np.sum(x ** 2))
    >>> @norm.defjvp
    ... def norm_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     n = norm(x)   # the derivative x / |x|, taken as 0 at x = 0 (not nan)
    ...     return n, np.sum(x * t) / np.where(n == 0, 1.0, n)
    >>> grad(norm)(np.zeros(2)), grad(norm)(np.array([3.0, 4.0]))
    (array([0., 0.]), array([0.6, 0.8]))
    >>> float(jvp(norm, (np.array([3.0, 4.0]),), (np.array([1.0, 0.0]),))[1])
    0.6
    """

    kind = "custom_jvp"

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        super().__init__(fun, nondiff_argnums)
        self.jvp: Callable | None = None
        self.prim.def_jvp(self._jvp_rule, argnum=ALL)
        self.prim.def_vjp(self._vjp_rule, argnum=ANY)
        self._last: list = [None, None]  # (g, ans, *args) -> all cotangents: one per node

    def defjvp(self, jvp: Callable) -> Callable:
        """Give the rule ``jvp(*nondiff, primals, tangents) -> (out, tangent_out)``;
        returns ``jvp`` (so it can decorate)."""
        if not callable(jvp):
            raise TypeError(f"custom_jvp.defjvp takes the rule, a function, not {jvp!r}.")
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps: Callable | None) -> None:
        """One rule per differentiable argument, ``jvp_i(t_i, out, *primals)`` (``None``:
        that argument's tangent contributes nothing), as JAX's ``defjvps``."""
        def joint(*rest):
            primals, tangents = rest[-2], rest[-1]
            out = self.fun(*_merge(self.nondiff_argnums, rest[:-2], primals))
            total = None
            for rule, t in zip(jvps, tangents):
                if rule is None:
                    continue
                part = rule(t, out, *primals)
                total = part if total is None else tree_map(lambda a, b: a + b, total, part)
            if total is None:
                total = tree_map(_zeros_like, out)
            return out, total
        self.defjvp(joint)

    def _ready(self) -> None:
        if self.jvp is None:
            raise TypeError(f"custom_jvp function {self.__name__} has no rule yet: give it "
                            f"one with @{self.__name__}.defjvp before calling it.")

    def _rule(self, primals: tuple, tangents: tuple, meta):
        nondiff = meta[1]
        out = self.jvp(*nondiff, primals, tangents)
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"custom_jvp: the rule of {self.__name__} must return a pair "
                            "(primal_out, tangent_out), but returned "
                            f"{type(out).__name__}.")
        return out

    def _diff_args(self, leaves, meta) -> tuple:
        td = meta[0]
        return tuple(tree_unflatten(td, list(leaves)))

    def _jvp_rule(self, ts, ans, *leaves, _meta):
        ts = [_zeros_like(v) if t is None else t for t, v in zip(ts, leaves)]
        primals = self._diff_args(leaves, _meta)
        tangents = self._diff_args(ts, _meta)
        return _check_like(self._rule(primals, tangents, _meta)[1], ans, self.__name__)

    def _vjp_rule(self, argnum, g, ans, *leaves, _meta):
        key = (g, ans, *leaves)
        last_key, cts = self._last
        if not _same(last_key, key):
            primals = self._diff_args(leaves, _meta)
            zeros = tuple(_zeros_like(v) for v in leaves)

            def tangent_out(ts_leaves):  # linear in the tangents: its VJP is the transpose
                return self._rule(primals, self._diff_args(ts_leaves, _meta), _meta)[1]
            _, pull = pull_back(tangent_out, (zeros,))
            cts = pull(plain(g))[0]  # a container's summed cotangent: in the output's form
            self._last[:] = [key, cts]
        return cts[argnum]


def _merge(positions, fixed, others) -> tuple:
    at = dict(zip(positions, fixed))
    rest = iter(others)
    return tuple(at[i] if i in at else next(rest) for i in range(len(fixed) + len(others)))


def _check_like(t, ans, name):
    t_leaves, t_def = tree_flatten(t)
    a_leaves, a_def = tree_flatten(ans)
    if t_def != a_def:
        raise TypeError(f"custom rule of {name}: the tangent/cotangent has structure {t_def} "
                        f"but the output has {a_def}.")
    for a, b in zip(t_leaves, a_leaves):
        if onp.shape(peek(a)) != onp.shape(peek(b)):
            raise ValueError(f"custom rule of {name}: a tangent has shape "
                             f"{onp.shape(peek(a))} where the output has "
                             f"{onp.shape(peek(b))}.")
    return t


# -------------------------------------------------------------------- custom_vjp
class custom_vjp(_Custom):
    """A function with a reverse-mode rule of its own (JAX's ``jax.custom_vjp``).

    Decorate ``f``, then give ``f.defvjp(fwd, bwd)``:

    - ``fwd(*args) -> (out, residuals)``: the output and whatever the backward
      pass needs (any container of values);
    - ``bwd(*nondiff, residuals, g) -> cotangents``: a tuple with one cotangent per
      differentiable argument, each shaped like it (``None`` for zero).

    ``f`` is called when nothing is differentiated and on the forward pass;
    ``fwd`` runs when the backward pass reaches ``f``, once per pass. Forward
    mode has no rule: ``jvp`` and ``jacfwd`` fall back to reverse mode, as for
    any primitive with a VJP only. Under nesting ``bwd`` is differentiated
    itself (write it with ``dualgrad.numpy``).

    Parameters
    ----------
    fun : callable
        The function.
    nondiff_argnums : tuple of int, optional
        Positions of arguments that are not differentiated; they come first in
        ``bwd``'s arguments.

    Returns
    -------
    custom_vjp
        A callable with ``fun``'s signature and the method ``defvjp``.

    Attributes
    ----------
    fwd, bwd : callable or None
        The rules given with ``defvjp``.

    Raises
    ------
    TypeError
        If ``fun`` is not callable; when called, if ``defvjp`` was not given or a
        ``nondiff_argnums`` argument holds a value being differentiated; when
        differentiated, if ``fwd`` does not return a pair or ``bwd`` does not
        return one cotangent per differentiable argument.
    ValueError
        If a cotangent is not shaped like its argument.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import custom_vjp, grad
    >>> @custom_vjp
    ... def clip_gradient(x):
    ...     return x
    >>> def fwd(x):
    ...     return x, None
    >>> def bwd(res, g):
    ...     return (np.clip(g, -1.0, 1.0),)
    >>> clip_gradient.defvjp(fwd, bwd)
    >>> float(grad(lambda x: 5.0 * clip_gradient(x))(2.0))
    1.0
    """

    kind = "custom_vjp"

    def __init__(self, fun: Callable, nondiff_argnums: Sequence[int] = ()):
        super().__init__(fun, nondiff_argnums)
        self.fwd: Callable | None = None
        self.bwd: Callable | None = None
        self.prim.def_vjp(self._vjp_rule, argnum=ANY)
        self._last: list = [None, None]

    def defvjp(self, fwd: Callable, bwd: Callable, symbolic_zeros: bool = False) -> None:
        """Give the rules (see the class docstring); ``symbolic_zeros`` is refused."""
        if symbolic_zeros:
            raise TypeError("custom_vjp.defvjp: dualgrad has no symbolic zeros; bwd gets "
                            "dense zero cotangents for unused outputs (drop symbolic_zeros).")
        if not (callable(fwd) and callable(bwd)):
            raise TypeError("custom_vjp.defvjp(fwd, bwd) takes two functions.")
        self.fwd, self.bwd = fwd, bwd

    def _ready(self) -> None:
        if self.fwd is None:
            raise TypeError(f"custom_vjp function {self.__name__} has no rules yet: give them "
                            f"with {self.__name__}.defvjp(fwd, bwd) before calling it.")

    def _vjp_rule(self, argnum, g, ans, *leaves, _meta):
        key = (g, ans, *leaves)
        last_key, cts = self._last
        if not _same(last_key, key):
            cts = self._cotangents(g, leaves, _meta)
            self._last[:] = [key, cts]
        return cts[argnum]

    def _cotangents(self, g, leaves, meta) -> list:
        td, nondiff, _ = meta
        out = self.fwd(*self._args(leaves, meta))
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise TypeError(f"custom_vjp: fwd of {self.__name__} must return a pair "
                            f"(output, residuals), but returned {type(out).__name__}.")
        g = tree_unflatten(tree_flatten(out[0])[1], tree_flatten(plain(g))[0])  # out's form
        cts = self.bwd(*nondiff, out[1], g)
        n_diff = len(td.children)
        if not isinstance(cts, (tuple, list)) or len(cts) != n_diff:
            raise TypeError(f"custom_vjp: bwd of {self.__name__} must return a tuple with one "
                            f"cotangent per differentiable argument ({n_diff}), but returned "
                            f"{type(cts).__name__}"
                            + (f" of length {len(cts)}" if isinstance(cts, (tuple, list))
                               else "") + ". Return (ct,) for one argument.")
        diff = tuple(tree_unflatten(td, list(leaves)))
        flat = []
        for ct, arg in zip(cts, diff):
            if ct is None:
                ct = tree_map(_zeros_like, arg)
            flat.extend(tree_flatten(_check_like(ct, arg, self.__name__))[0])
        return flat


__all__ = ["stop_gradient", "custom_jvp", "custom_vjp"]
