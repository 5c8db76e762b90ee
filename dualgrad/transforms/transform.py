"""What every transform does before its mathematics, written once: the ``@transform``
decorator (autograd's ``unary_to_nary`` idea) checks ``fun`` and ``argnum``, lifts the
differentiated argument(s) out of each call, checks the inputs and names the result,
so that a transform's body is only its own mathematics::

    @transform("elementwise_grad", float_ints=True)
    def elementwise_grad(unary, x):
        ans, pull = pull_back(unary, (x,), once=True)
        return pull(ones_like(ans))[0]
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Protocol, Sequence

import numpy as onp

from ..core import Tracer, is_duck_array, peek, tree_flatten, tree_map, tree_unflatten, warn
from ..core.levels import _stack
from ..core.mp import from_mp, is_mp, is_mp_value, mp_errors, mp_results, to_mp
from ..core.spaces import VSpace, _shape_only
from ..core.tracer import BOX_TYPES
from . import checks


Fun = Callable[..., Any]


ArgNum = int | Sequence[int]


class Transform(Protocol):
    """What ``@transform`` makes: ``T(fun, argnum=0, **options)``, the transformed function."""

    def __call__(self, fun: Fun, argnum: ArgNum = 0, **options: Any) -> Fun: ...


def _unary(fun: Fun, args: tuple, kwargs: dict, argnum: ArgNum):
    """``fun`` as a function of the argument(s) picked by ``argnum`` alone."""
    if isinstance(argnum, int):
        if not -len(args) <= argnum < len(args):
            raise TypeError(f"argnum={argnum} but the function was called with "
                            f"{len(args)} positional argument(s)." + checks.keyword_hint(kwargs))
        argnum %= len(args)  # argnum=-1: the last argument
        x = args[argnum]

        def unary(xv):
            return fun(*args[:argnum], xv, *args[argnum + 1:], **kwargs)
    else:
        argnum = tuple(argnum)
        checks.check_positions(argnum, len(args), kwargs)
        if len({i % len(args) if isinstance(i, int) and args else i for i in argnum}) < len(argnum):
            # (0, 0) or (0, -2): one argument cannot be substituted twice
            raise ValueError(f"argnum={argnum} names an argument more than once; name each "
                             "argument once (argnum=0 and reuse the result where needed).")
        x = tuple(args[i] for i in argnum)

        def unary(xs):
            full = list(args)
            for i, v in zip(argnum, xs):
                full[i] = v
            return fun(*full, **kwargs)
    return unary, x


_mp_errors = mp_errors  # (the guard lives beside the MP type; kept by this name)


def has_mp_input(x) -> bool:
    """mpmath numbers among the inputs (a cheap test for the usual float inputs)."""
    if type(x) is float or (type(x) is onp.ndarray and x.dtype.kind != "O"):
        return False
    return any(is_mp_value(peek(leaf)) for leaf in tree_flatten(x)[0])


_FLOAT_KINDS = frozenset("fc")
_PLAIN_NUMBERS = frozenset((float, complex, onp.float64, onp.complex128))


def _inputs(x, who: str, float_ints: bool) -> tuple[Any, bool]:
    """The one check of a transform's input(s) ``x``, in one flatten: integer *arrays*
    cast to float64 with a warning when ``float_ints`` (the gradient transforms: autograd
    1.9.1 accepts them, its ``elementwise_grad(np.sin)`` of ``np.arange(3)`` is the float
    cosine; integer scalars, and every input of the other transforms, are refused by the
    checks, as autograd does for scalars), each leaf checked (``_check_input``), and
    whether mpmath numbers are among them.
    Returns ``(x, is_mp)``. A float or complex ndarray or number, the common case, is
    answered without flattening."""
    cls = x.__class__
    if cls is onp.ndarray:
        if x.dtype.kind in _FLOAT_KINDS:
            return x, False
    elif cls in _PLAIN_NUMBERS:
        return x, False
    leaves, treedef = tree_flatten(x)
    cast = mp = False
    for k, leaf in enumerate(leaves):
        if float_ints and _int_array(leaf):
            warn(f"{who}: an integer array (dtype {peek(leaf).dtype}) was cast to float64 to "
                 "be differentiated; pass x.astype(float) to silence this.")  # at the user's line
            leaves[k] = leaf.astype(onp.float64)  # a tracer's (under jit) is recorded
            cast = True
        elif not mp and not (type(leaf) is float or (type(leaf) is onp.ndarray
                                                     and leaf.dtype.kind != "O")):
            mp = is_mp_value(peek(leaf))
    if cast:
        x = tree_unflatten(treedef, leaves)
    if mp:  # computed as MP (each leaf converted), then checked as such
        x = to_mp(x)
        _check_input(x, who)
    else:
        _check_leaves(leaves, who)
    return x, mp


def _int_array(leaf) -> bool:
    """An integer array, plain or a tracer's value (jit's staged inputs are tracers)."""
    v = peek(leaf) if isinstance(leaf, Tracer) else leaf
    return type(v) is onp.ndarray and v.dtype.kind in "iu" and v.ndim > 0


def _check_input(x, who: str) -> None:
    _check_leaves(tree_flatten(x)[0], who)


def _check_leaves(leaves: list, who: str) -> None:
    for leaf in leaves:
        v = peek(leaf)  # its type and dtype
        if is_mp(v) or type(v) in BOX_TYPES or type(v) in VSpace.mappings:  # mpmath; a registered (user) type
            continue
        checks.check_input_value(v, who)  # np.matrix, object or string arrays
        kind = onp.result_type(v).kind if isinstance(v, (int, float, complex, onp.ndarray, onp.generic)) else None
        if kind is None and (is_duck_array(v) or _shape_only(v)):  # dask, cupy; a batched value
            kind = v.dtype.kind
        if kind in ("i", "u", "b"):
            raise TypeError(
                f"{who} was given an integer input ({v!r}, dtype {onp.result_type(v)}). "
                "Derivatives need floating-point inputs: pass a float, e.g. 1.0 instead of "
                "1, or x.astype(float) for an array.")
        if kind not in ("f", "c"):
            raise TypeError(
                f"{who} cannot differentiate with respect to a value of type "
                f"{type(v).__name__}. Pass floats, complex numbers, numpy arrays (or arrays "
                "implementing numpy's protocols, such as dask arrays), or "
                "tuples/lists/dicts of them.")


def _check_tangents(primals, tangents, who: str) -> None:
    """Each tangent must be shaped like its primal (and have its structure)."""
    p_leaves, p_def = tree_flatten(primals)
    t_leaves, t_def = tree_flatten(tangents)
    if p_def != t_def:
        raise ValueError(f"{who}: the tangents' structure {t_def} does not match the "
                         f"primals' {p_def}.")
    for p, t in zip(p_leaves, t_leaves):
        if type(peek(p)) in VSpace.mappings:  # a registered (user) space: its own tangents
            continue
        kind = onp.result_type(peek(t)).kind
        # a traced object array holds mpmath numbers (peek hides a batched one's numbers)
        mp = kind == "O" and (isinstance(t, Tracer) or is_mp(peek(t)))
        if kind not in "fc" and not mp:
            raise TypeError(f"{who}: a tangent has dtype {onp.result_type(peek(t))}; "
                            "tangents must be floating point (e.g. 1.0, or v.astype(float)).")
        if onp.shape(peek(p)) != onp.shape(peek(t)):
            raise ValueError(f"{who}: a tangent has shape {onp.shape(peek(t))} but its "
                             f"primal has shape {onp.shape(peek(p))}; give tangents "
                             "shaped like the inputs.")


def _wraps(fun: Fun, name: str):
    def deco(g):
        functools.update_wrapper(g, fun, assigned=("__module__", "__doc__"))
        g.__name__ = f"{name}_of_{getattr(fun, '__name__', 'f')}"
        g.__qualname__ = g.__name__
        return g
    return deco


def with_aux(fun: Fun, who: str) -> tuple[Fun, Callable[[], Any]]:
    """For ``fun`` returning ``(output, aux)`` (``has_aux=True``): ``main``, which
    returns the output alone (the function to differentiate), and ``read_aux()``,
    the aux of the last call of ``main`` with the tracers of the transform's own
    levels (every level made after this call) replaced by their values, so that
    aux comes back plain, as JAX returns it; tracers of enclosing transforms stay."""
    stack = _stack()
    base = stack[-1].depth if stack else 0
    seen: list = []

    def main(*args):
        out = fun(*args)
        checks.check_aux_pair(out, who)
        seen.append(out[1])
        return out[0]

    def plain(v):
        while isinstance(v, Tracer) and v._level.depth > base:
            v = v.value
        return v

    def read_aux():
        if not seen:  # pragma: no cover - every transform calls fun at least once
            raise RuntimeError(f"{who}: the function was never called; this is a dualgrad "
                               "bug, please report it.")
        return tree_map(plain, seen[-1])
    return main, read_aux


def _size(x) -> int:
    return int(onp.prod(onp.shape(peek(x)), dtype=int))


def aux_last(result: Any, aux: Any) -> Any:
    """JAX's default ``has_aux`` form: ``(result, aux)``."""
    return result, aux


def transform(name: str, *, who: str | None = None, prefix: str | None = None,
              float_ints: bool = False, trailing: int = 0,
              check: Callable[..., None] | None = None,
              named: Callable[[Fun, ArgNum], tuple[str, str]] | None = None,
              aux: Callable[[Any, Any], Any] | None = None
              ) -> Callable[[Callable[..., Any]], Transform]:
    """Make ``body(unary, x, *extra, **options)`` the transform ``T(fun, argnum=0, **options)``.

    ``T`` checks ``fun``, ``argnum`` and (with ``check(**options)``) its options once,
    when it is made. Each call ``T(fun)(*args, **kwargs)`` then picks the argument(s)
    ``argnum`` out of ``args`` (``x``; a tuple for a tuple ``argnum``), makes ``unary``
    (``fun`` as a function of ``x`` alone), casts integer arrays to float64 with a
    warning when ``float_ints`` (autograd accepts them), checks ``x`` (messages name
    ``who``, default ``name``) and returns the body's result. With ``trailing=k`` the
    last k positional arguments are not ``fun``'s but the body's (``extra``: the ``v``
    of ``hessian_vector_product(f)(x, v)``). The result is called ``<prefix>_of_<fun>``
    (``prefix`` defaults to ``name``), or what ``named(fun, argnum)`` gives as
    ``(name, docstring)``.

    The body's keyword-only parameters, with their defaults, are ``T``'s options, and
    ``T``'s signature and docstring are read off the body (``help(grad)``).

    ``argnums`` (JAX's and PyTorch's spelling) is accepted for ``argnum``. With
    ``aux`` given, ``T`` takes ``has_aux``: ``fun`` then returns ``(output, aux)``,
    the body sees only the output, and the call returns ``aux(result, aux_value)``
    (JAX's forms: ``(g, aux)`` for grad, ``((value, aux), g)`` for value_and_grad).
    A keyword ``T`` does not take raises a ``TypeError`` naming dualgrad's spelling
    of it, or saying there is none (``checks.refuse_options``).
    """
    who = who or name

    def decorate(body: Callable[..., Any]) -> Transform:
        params = inspect.signature(body).parameters.values()
        options = [p for p in params if p.kind is p.KEYWORD_ONLY]
        known = {p.name for p in options}

        accepted = known | {"argnums"} | ({"has_aux"} if aux is not None else set())

        @functools.wraps(body)
        def make(fun: Fun, argnum: ArgNum = checks._UNSET, **opts: Any) -> Fun:
            checks.check_fun(fun, name)
            checks.refuse_options(name, opts, accepted)
            argnum = checks.take_argnums(name, argnum, opts)
            checks.check_argnum(argnum, name)
            has_aux = checks.check_flag(opts.pop("has_aux", False), "has_aux", name)
            if check is not None:
                check(**opts)

            # f(x) of one float input, the commonest call: fun is then its own unary
            # function and x needs no check (the first lines of _unary and _inputs)
            lean = not trailing and not has_aux and type(argnum) is int and argnum in (0, -1)

            def transformed(*args: Any, **kwargs: Any) -> Any:
                if lean and len(args) == 1 and not kwargs:
                    x = args[0]
                    cls = x.__class__
                    if (cls is onp.ndarray and x.dtype.kind in _FLOAT_KINDS
                            or cls in _PLAIN_NUMBERS):
                        return body(fun, x, **opts)
                extra = ()
                if trailing:
                    args, extra = args[:-trailing], args[-trailing:]
                unary, x = _unary(fun, args, kwargs, argnum)
                x, mp = _inputs(x, who, float_ints)
                if mp:  # mpmath numbers: computed as MP, handed back as mpf
                    main, read_aux = with_aux(unary, name) if has_aux else (unary, None)
                    with _mp_errors(who):
                        out = mp_results(body(main, x, *extra, **opts), who)  # make_vjp's vjp too
                    if not has_aux:
                        return out
                    assert aux is not None and read_aux is not None  # has_aux: refused without aux
                    return aux(out, from_mp(read_aux()))
                if not has_aux:
                    return body(unary, x, *extra, **opts)
                main, read_aux = with_aux(unary, name)
                assert aux is not None  # has_aux: refused without aux
                return aux(body(main, x, *extra, **opts), read_aux())
            transformed = _wraps(fun, prefix or name)(transformed)
            if named is not None:
                transformed.__name__, transformed.__doc__ = named(fun, argnum)
                transformed.__qualname__ = transformed.__name__
            return transformed

        make.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter("fun", inspect.Parameter.POSITIONAL_OR_KEYWORD),
             inspect.Parameter("argnum", inspect.Parameter.POSITIONAL_OR_KEYWORD, default=0),
             *options,
             *([inspect.Parameter("has_aux", inspect.Parameter.KEYWORD_ONLY, default=False)]
               if aux is not None else []),
             inspect.Parameter("argnums", inspect.Parameter.KEYWORD_ONLY, default=None)])
        return make
    return decorate
