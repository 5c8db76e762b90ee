"""``linearize`` and ``linear_transpose``: reverse mode is forward mode transposed.

``linearize(f, x)`` runs forward mode once with *symbolic* tangents
(``dualgrad.interpreters.linear``): the primal values are computed, and every
operation on a tangent is recorded as a line of a linear program. The program is
the Jacobian ``J = f'(x)`` as code; applying it costs the tangent half of a JVP
and nothing else.

``linear_transpose(L, x)`` turns a linear function into its transpose: each
line's transpose is its primitive's VJP rule for the linear argument, applied
last line first. So ``linear_transpose(linearize(f, x)[1], x)`` is ``f``'s VJP
at ``x``, obtained without a tape.
"""
from __future__ import annotations

from typing import Any, Callable


from ..core import peek
from ..core.mp import from_mp, mp_errors, to_mp
from ..interpreters.forward import push_forward
from ..interpreters.linear import LinearProgram, aval_of, record_linear
from . import checks
from .fallback import FWD, REV, jvp_by_reverse, run_modes
from .transform import _check_input, has_mp_input

__all__ = ["linearize", "linear_transpose"]


def _avals(primals, who: str) -> list:
    _check_input(primals, who)
    out = []
    for p in primals:
        v = peek(p)  # its type, shape and dtype
        if isinstance(v, (tuple, list, dict)):
            raise TypeError(f"{who}: pass arrays, one per argument (containers are not "
                            "supported here yet).")
        out.append(aval_of(v))
    return out


def linearize(fun: Callable, *primals: Any) -> tuple[Any, LinearProgram]:
    """``(fun(*primals), f_jvp)``, with ``f_jvp(*tangents) = J tangents`` recorded once.

    Parameters
    ----------
    fun : callable
        A function of ``len(primals)`` arrays returning one array.
    *primals : arrays
        The point of linearization.

    Returns
    -------
    (out, f_jvp)
        ``out = fun(*primals)``; ``f_jvp`` is a :class:`LinearProgram`: call it with
        tangents shaped like the primals, ``f_jvp.source()`` prints it, and
        ``linear_transpose(f_jvp, *primals)`` transposes it.

    With ``mpmath.mpf``/``mpc`` primals (or object arrays of them) the map is
    recorded at the working precision ``mpmath.mp.dps``, and ``f_jvp`` and its
    transpose take and give mpmath numbers.

    Raises
    ------
    TypeError
        For integer or non-array inputs, a function returning a container, or
        (with mpmath primals) a primitive that has no mpmath path.

    Examples
    --------
    >>> import numpy as onp
    >>> import dualgrad.numpy as np
    >>> y, f_jvp = linearize(lambda x: np.sin(x) * 2.0, onp.array([0.0, 1.0]))
    >>> f_jvp(onp.array([1.0, 1.0]))           # 2 cos(x)
    array([2.        , 1.08060461])
    """
    checks.check_fun(fun, "linearize")
    if any(has_mp_input(p) for p in primals):  # mpmath: recorded as MP, f_jvp takes mpf
        primals = to_mp(primals)
        with mp_errors("linearize"):
            out, prog = _linearize(fun, primals)
        return from_mp(out), prog
    return _linearize(fun, primals)


def _linearize(fun: Callable, primals: tuple) -> tuple[Any, LinearProgram]:
    avals = _avals(primals, "linearize")
    box: dict = {}

    def tangent_map(*ts):  # a primitive without a JVP rule: J t from two reverse passes
        out, t_out = run_modes("linearize", [
            (FWD, lambda: push_forward(fun, tuple(primals), ts)),
            (REV, lambda: jvp_by_reverse(fun, tuple(primals), ts))]).value
        if isinstance(out, (tuple, list, dict)):
            raise TypeError("linearize: the function must return one array; concatenate "
                            "the outputs, or linearize each.")
        box["out"] = out
        return t_out
    prog = record_linear(tangent_map, avals)
    return box["out"], prog


def linear_transpose(fun: Callable, *primals: Any) -> Callable:
    """The transpose of the linear function ``fun``: ``w -> (J_1^T w, ..., J_k^T w)``.

    ``primals`` give the input shapes and dtypes (their numbers are not used).
    ``fun`` is traced once; it must be linear in its arguments (an affine or
    nonlinear ``fun`` raises ``NotLinearError`` naming the primitive).
    Complex maps follow the complex convention: a C-linear ``v -> A v`` transposes
    to ``w -> A^T w`` (unconjugated, as JAX's), and for every map the result is the
    VJP, with ``Re sum(fun(v) w) = Re sum(v f_T(w))``.

    Parameters
    ----------
    fun : callable
        A linear function of ``len(primals)`` arrays returning one array.
    *primals : arrays
        Examples of the inputs (for shapes and dtypes).

    Returns
    -------
    callable
        ``f_T(w)``: a tuple with one array per input, ``<fun(v), w> = <v, f_T(w)>``.

    Raises
    ------
    NotLinearError
        When ``fun`` is not linear in its arguments.

    Examples
    --------
    >>> import numpy as onp
    >>> A = onp.array([[1.0, 2.0], [3.0, 4.0]])
    >>> f_T = linear_transpose(lambda v: A @ v, onp.zeros(2))
    >>> f_T(onp.array([1.0, 0.0]))             # the first row of A, as a column
    (array([1., 2.]),)
    """
    checks.check_fun(fun, "linear_transpose")
    if any(has_mp_input(p) for p in primals):  # (only their avals are read)
        primals = to_mp(primals)
    with mp_errors("linear_transpose"):
        return record_linear(fun, _avals(primals, "linear_transpose")).transpose()
