"""Taylor mode transforms: ``jet`` (JAX's form), ``derivatives`` and ``taylor``.

One forward pass of the Taylor interpreter (``dualgrad.interpreters.taylor``)
carries K coefficients of a curve through the program, so it gives the first K
derivatives along a direction at O(K^2) cost per primitive, where nesting
``deriv`` K times costs about 2^K.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Sequence

import numpy as onp

from ..core import Tracer, getval, peek, in_dtype_of, vspace
from ..interpreters.taylor import IdentityDirections, push_collapsed, push_jet
from ..core.mp import from_mp, to_mp
from ..numpy import reshape as np_reshape, trace as np_trace
from .fallback import FWD, REV, run_modes
from .jacobian import hessian
from .products import deriv
from .transform import Fun, _check_input, _check_tangents, _mp_errors, has_mp_input

__all__ = ["jet", "derivatives", "taylor", "laplacian"]


def _check_order(order: Any, who: str) -> int:
    if isinstance(order, bool) or not isinstance(order, (int, onp.integer)) or order < 1:
        raise ValueError(f"{who}: order must be a positive integer (the number of "
                         f"derivatives wanted), not {order!r}.")
    return int(order)


def _plain(c, like):
    """A coefficient as an array shaped like the output (zeros stay zeros)."""
    if isinstance(c, Tracer):
        return in_dtype_of(c, like)
    shape = onp.shape(peek(like))
    out = onp.broadcast_to(onp.asarray(c, dtype=onp.result_type(peek(like), c)), shape)
    return in_dtype_of(out.copy() if out.ndim else out[()], like)


def jet(fun: Fun, primals: Sequence, series: Sequence, *,
        factorial_scaled: bool = True) -> tuple[Any, list]:
    """Taylor-mode derivatives of ``fun`` along a curve, with JAX's ``jet`` meaning.

    Parameters
    ----------
    fun : callable
        A function of ``len(primals)`` array arguments returning one array.
    primals : sequence of arrays
        The point: ``x(0)`` for each argument.
    series : sequence of sequences
        For each primal, ``[x_1, ..., x_K]``: with ``factorial_scaled=True`` (JAX's
        convention) the derivatives of the curve, ``x_k = d^k x/dt^k (0)``; with
        ``factorial_scaled=False`` the normalised coefficients, ``x(t) = x_0 +
        x_1 t + ... + x_K t^K``. Every list has the same length K.

    Returns
    -------
    (primal_out, series_out)
        ``fun(*primals)`` and ``[y_1, ..., y_K]`` in the same convention:
        ``y_k = d^k/dt^k fun(x(t)) at t = 0`` (or those divided by ``k!``).

    Raises
    ------
    ValueError
        When the series have different lengths or do not match the primals' shapes.

    Examples
    --------
    The curve ``x(t) = 1 + t`` through ``exp``: every derivative is ``e``.

    >>> import dualgrad.numpy as np
    >>> y0, ys = jet(np.exp, (1.0,), ([1.0, 0.0, 0.0],))
    >>> [round(float(v), 6) for v in [y0, *ys]]
    [2.718282, 2.718282, 2.718282, 2.718282]
    """
    primals, series = tuple(primals), tuple(tuple(s) for s in series)
    if len(primals) != len(series):
        raise ValueError(f"jet: {len(primals)} primal(s) but {len(series)} series; give one "
                         "list of coefficients per primal.")
    orders = {len(s) for s in series}
    if len(orders) != 1 or 0 in orders:
        raise ValueError(f"jet: every series must have the same, positive length (got lengths "
                         f"{sorted(len(s) for s in series)}).")
    order = orders.pop()
    if has_mp_input(primals):  # mpmath numbers: computed as MP, handed back as mpf
        with _mp_errors("jet"):
            return from_mp(jet(fun, to_mp(tuple(primals)),
                               tuple(list(to_mp(list(s))) for s in series),
                               factorial_scaled=factorial_scaled))
    _check_input(primals, "jet")
    for k in range(order):
        _check_tangents(primals, tuple(s[k] for s in series), f"jet (term {k + 1} of the series)")
    scale = [math.factorial(k) for k in range(1, order + 1)] if factorial_scaled else [1] * order
    normalised = tuple([onp.asarray(c) / f if not isinstance(c, Tracer) else c / f
                        for c, f in zip(s, scale)] for s in series)
    out, ys, _ = _push_jet("jet", fun, primals, normalised, order)
    return out, [_plain(y * f if not (isinstance(y, float) and y == 0.0) else y, out)
                 for y, f in zip(ys, scale)]


def taylor(fun: Fun, x: Any, v: Any, *, order: int) -> Any:
    """The Taylor coefficients of ``t -> fun(x + t v)`` at ``t = 0``, up to ``t^order``.

    Parameters
    ----------
    fun : callable
        A function of one array.
    x, v : array
        The point and the direction (``v`` shaped like ``x``).
    order : int
        The highest power of ``t`` kept.

    Returns
    -------
    ndarray
        Shape ``(order + 1,) + out.shape``: ``c_0 = fun(x)``, and ``c_k = (1/k!)
        d^k/dt^k fun(x + t v)`` at 0.

    Raises
    ------
    ValueError
        For an order that is not a positive integer, or ``v`` not shaped like ``x``.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> taylor(np.exp, 0.0, 1.0, order=4)   # 1, 1, 1/2, 1/6, 1/24
    array([1.        , 1.        , 0.5       , 0.16666667, 0.04166667])
    """
    order = _check_order(order, "taylor")
    if has_mp_input(x):  # mpmath numbers: computed as MP, handed back as mpf
        with _mp_errors("taylor"):
            return from_mp(taylor(fun, to_mp(x), to_mp(v), order=order))
    _check_input(x, "taylor")
    _check_tangents(x, v, "taylor")
    zero = vspace(x).zeros()
    out, ys, _ = _push_jet("taylor", fun, (x,), ([v] + [zero] * (order - 1),), order)
    return onp.stack([getval(_plain(c, out)) for c in [out, *ys]]) \
        if not isinstance(out, Tracer) else _stack_traced([out, *[_plain(c, out) for c in ys]])


def derivatives(fun: Fun, *, order: int) -> Callable:
    """All of ``f(x), f'(x), ..., f^(order)(x)`` for a scalar ``x``, in one Taylor pass.

    Parameters
    ----------
    fun : callable
        A function of one scalar (it may return an array).
    order : int
        The highest derivative wanted.

    Returns
    -------
    callable
        ``derivatives(fun, order=K)(x)`` returns an array of shape ``(K + 1,) +
        out.shape`` whose row k is the k-th derivative at ``x``.

    Raises
    ------
    ValueError
        For an order that is not a positive integer; TypeError for a non-scalar ``x``.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> derivatives(lambda x: x ** 3, order=4)(2.0)   # 8, 12, 12, 6, 0
    array([ 8., 12., 12.,  6.,  0.])
    """
    order = _check_order(order, "derivatives")

    def ds(x: Any) -> Any:
        if onp.ndim(peek(x)) != 0:
            raise TypeError(f"derivatives: x must be a scalar (got shape "
                            f"{onp.shape(peek(x))}); use taylor(f, x, v, order=K) for the "
                            "derivatives of an array function along a direction v.")
        one = onp.ones_like(peek(x)) if isinstance(peek(x), onp.ndarray) else 1.0
        cs = taylor(fun, x, one if not isinstance(x, onp.generic) else x.dtype.type(1), order=order)
        scale = onp.array([math.factorial(k) for k in range(order + 1)], dtype=float)
        scale = scale.reshape((order + 1,) + (1,) * (onp.ndim(peek(cs)) - 1))
        return in_dtype_of(cs * scale, cs)
    ds.__name__ = f"derivatives_of_{getattr(fun, '__name__', 'f')}"
    return ds


def _push_jet(who: str, fun: Fun, primals: tuple, series: tuple, order: int):
    """``push_jet``, or, when a primitive has no JVP rule (so no Taylor rule either),
    the same coefficients from ``order`` nested ``deriv`` of ``t -> fun(x(t))``, each
    of which runs by reverse passes (``fallback.jvp_by_reverse``): 2^order passes
    instead of one, but an answer."""
    return run_modes(who, [(FWD, lambda: push_jet(fun, primals, series, order)),
                           (REV, lambda: _jet_by_nesting(fun, primals, series, order))]).value


def _jet_by_nesting(fun: Fun, primals: tuple, series: tuple, order: int):
    """``(y_0, [y_1, ..., y_K], None)`` with ``y(t) = fun(x(t))``, ``x(t) = x_0 +
    sum_k c_k t^k`` (``series`` the normalised ``c_k``): ``y_k = (1/k!) d^k y/dt^k``."""
    def curve(t):
        return fun(*[p + sum(c * t ** (k + 1) for k, c in enumerate(cs))
                     for p, cs in zip(primals, series)])
    ds, d = [], curve
    for k in range(1, order + 1):
        d = deriv(d)
        ds.append(d(0.0) / math.factorial(k))
    return fun(*primals), ds, None


def _stack_traced(parts: list) -> Any:
    return onp.stack(parts)  # traced parts: NEP 18 sends them to dualgrad's stack


def laplacian(fun: Fun) -> Callable:
    """The Laplacian ``sum_i d^2 fun / dx_i^2`` of a scalar function, by collapsed
    Taylor mode.

    One forward pass carries the ``n = x.size`` first-order coefficients of the
    curves ``x + t e_i`` (batched) and the *sum* of their second-order
    coefficients (one array): see ``dualgrad.interpreters.taylor.CollapsedLevel``.
    This equals ``trace(hessian(fun)(x))`` without forming the Hessian or running a
    reverse pass; a primitive with only a VJP rule makes it that trace instead.

    Parameters
    ----------
    fun : callable
        A function of one array ``x`` returning a scalar.

    Returns
    -------
    callable
        ``laplacian(fun)(x)``: a scalar, in ``x``'s dtype.

    Raises
    ------
    TypeError
        If ``fun`` returns a non-scalar, or ``x`` is not a float or complex array.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> float(laplacian(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0])))   # 6 (1 + 2)
    18.0
    """
    def lap(x: Any) -> Any:
        _check_input(x, "laplacian")
        shape = onp.shape(peek(x))
        n = int(onp.prod(shape, dtype=int))
        dtype = onp.result_type(peek(x), 1.0)

        def collapsed():
            out, _, s2, _ = push_collapsed(fun, x, IdentityDirections(shape, dtype))
            _scalar_laplacian(out)
            if isinstance(s2, float) and s2 == 0.0:
                return in_dtype_of(onp.zeros((), dtype), out)
            return 2.0 * s2
        # a primitive without a JVP rule: trace(hessian), reverse-over-reverse
        return run_modes("laplacian", [(FWD, collapsed),
                                       (REV, lambda: _laplacian_by_hessian(fun, x, n))]).value
    lap.__name__ = f"laplacian_of_{getattr(fun, '__name__', 'f')}"
    return lap


def _scalar_laplacian(out) -> None:
    if onp.ndim(peek(out)) != 0:
        raise TypeError(f"laplacian: the function must return a scalar (it returned "
                        f"shape {onp.shape(peek(out))}); for a vector field take the "
                        "Laplacian of each component.")


def _laplacian_by_hessian(fun: Fun, x: Any, n: int) -> Any:
    """``trace(hessian(fun)(x))``: the Laplacian when some primitive has only a VJP
    rule (``hessian`` then runs reverse-over-reverse)."""
    def scalar(v):
        out = fun(v)
        _scalar_laplacian(out)
        return out
    H = hessian(scalar)(x)
    return np_trace(np_reshape(H, (n, n)))  # type: ignore[misc]  # (import cycle: mypy sees Any?)
