"""Products with the Jacobian and the Hessian: jvp, vjp (JAX's forms), make_jvp, deriv,
tensor_jacobian_product, hessian_vector_product, make_hvp, make_ggnvp."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as onp

from ..core import vspace
from ..core.mp import from_mp, mp_errors, mp_function, to_mp
from ..interpreters.forward import push_forward
from ..numpy import tensordot
from . import checks
from .fallback import FWD, REV, jvp_by_reverse, pull_back_any, run_modes
from .gradients import grad, make_vjp
from .jacobian import jacobian
from .transform import (ArgNum, Fun, _check_input, _check_tangents, has_mp_input, transform,
                        with_aux)


def vjp(fun: Fun, *primals: Any, has_aux: bool = False, **options: Any):
    """JAX's ``vjp``: ``out, f_vjp = vjp(f, *primals)``, with ``f_vjp(g)`` the tuple
    of ``g^T J`` for each primal (one tape, reused for every ``g``).

    Parameters
    ----------
    fun : callable
        The function, of as many arguments as ``primals``.
    *primals :
        The point: arrays, numbers or containers of them.
    has_aux : bool, optional
        ``fun`` returns ``(output, aux)``; the call returns ``(out, f_vjp, aux)``.

    Returns
    -------
    tuple
        ``(out, f_vjp)``, or ``(out, f_vjp, aux)`` with ``has_aux``.

    Raises
    ------
    TypeError
        If a primal is an integer scalar or not numeric, or a keyword is not an
        option (JAX's ``reduce_axes`` has no counterpart).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> out, f_vjp = vjp(lambda x, y: x * y, 2.0, 3.0)
    >>> float(out), f_vjp(1.0)
    (6.0, (3.0, 2.0))
    """
    checks.check_fun(fun, "vjp")
    checks.refuse_options("vjp", options, {"has_aux"})
    has_aux = checks.check_flag(has_aux, "has_aux", "vjp")
    if _any_mp(primals):  # mpmath numbers: computed as MP; out, f_vjp and aux as mpf
        primals = to_mp(primals)
        _check_input(primals, "vjp")
        with mp_errors("vjp"):
            out, f_vjp, *aux = _vjp(fun, primals, has_aux)
        return (from_mp(out), mp_function(f_vjp, "vjp"), *from_mp(aux))
    _check_input(primals, "vjp")
    return _vjp(fun, primals, has_aux)


def _vjp(fun: Fun, primals: tuple, has_aux: bool):
    if not has_aux:
        return pull_back_any("vjp", fun, primals)
    main, read_aux = with_aux(fun, "vjp")
    out, f_vjp = pull_back_any("vjp", main, primals)
    return out, f_vjp, read_aux()


@transform("make_jvp", prefix="jvp")
def make_jvp(unary: Fun, x: Any) -> Callable:
    """Autograd's ``make_jvp``: ``make_jvp(f)(*args)`` returns ``jvp`` with
    ``jvp(v) = (f(*args), J v)``.

    Parameters
    ----------
    fun : callable
        The function.
    argnum : int or tuple of int, optional
        The argument(s) the tangent ``v`` belongs to (default 0).

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning ``jvp``.

    Raises
    ------
    TypeError
        If an input or the tangent is an integer, or a keyword is not an option.
    ValueError
        If ``v`` is not shaped like the differentiated argument.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> value, t = make_jvp(np.sin)(0.0)(2.0)
    >>> float(value), float(t)
    (0.0, 2.0)
    """
    def jvp_at(v):  # (with mpmath inputs, @transform hands v over as MP)
        _check_tangents(x, v, "make_jvp")
        return _push(unary, (x,), (v,), "make_jvp")
    return jvp_at


@transform("deriv")
def deriv(unary: Fun, x: Any) -> Any:
    """Forward-mode derivative along the all-ones direction: ``J 1``.
    For a scalar input this is the ordinary derivative.

    Parameters
    ----------
    fun : callable
        The function.
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0).

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning ``J 1``, shaped like the output.

    Raises
    ------
    TypeError
        If an input is an integer or not numeric, or a keyword is not an option.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> float(deriv(lambda x: x ** 3)(2.0))
    12.0
    """
    return _push(unary, (x,), (vspace(x).ones(),), "deriv")[1]


def jvp(fun: Fun, primals: Sequence, tangents: Sequence, *, has_aux: bool = False,
        **options: Any):
    """JAX's ``jvp``: ``out, out_tangent = jvp(f, primals, tangents)``, the value and
    the directional derivative ``J t`` from one forward pass.

    Parameters
    ----------
    fun : callable
        The function, of ``len(primals)`` arguments.
    primals : tuple or list
        The point, one entry per argument.
    tangents : tuple or list
        The direction, shaped like ``primals`` (floating point).
    has_aux : bool, optional
        ``fun`` returns ``(output, aux)``; the call returns
        ``(out, out_tangent, aux)``.

    Returns
    -------
    tuple
        ``(out, out_tangent)``, or ``(out, out_tangent, aux)`` with ``has_aux``.

    Raises
    ------
    TypeError
        If ``primals``/``tangents`` are not sequences, a tangent is not floating
        point, or a keyword is not an option.
    ValueError
        If a tangent's shape or structure differs from its primal's.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> out, t = jvp(np.sin, (0.0,), (3.0,))
    >>> float(out), float(t)
    (0.0, 3.0)
    """
    checks.check_fun(fun, "jvp")
    checks.refuse_options("jvp", options, {"has_aux"})
    has_aux = checks.check_flag(has_aux, "has_aux", "jvp")
    checks.check_jvp_args(primals, tangents)
    ps, ts = tuple(primals), tuple(tangents)
    if _any_mp(ps) or _any_mp(ts):  # mpmath numbers: computed as MP
        ps, ts = _mp_point(ps, ts, "jvp")
        with mp_errors("jvp"):
            return from_mp(_jvp(fun, ps, ts, has_aux))
    _check_input(ps, "jvp")
    _check_tangents(ps, ts, "jvp")
    return _jvp(fun, ps, ts, has_aux)


def _any_mp(args: tuple) -> bool:
    """mpmath numbers among ``args`` (each plain array or float answered at once)."""
    for a in args:
        if has_mp_input(a):
            return True
    return False


def _mp_point(primals, tangents, who: str) -> tuple:
    """Primals and tangents with their mpmath numbers as MP, checked. mpmath tangents
    of float primals are refused: the derivative would be computed in float64."""
    if not _any_mp(primals):
        raise TypeError(f"{who}: the tangents are mpmath numbers but the primals are not, "
                        "so the derivative would be computed in float64. Give the primals "
                        "as mpmath numbers too (mpmath.mpf(x), or an object array of them).")
    primals, tangents = to_mp(primals), to_mp(tangents, numbers=True)
    _check_input(primals, who)
    _check_tangents(primals, tangents, who)
    return primals, tangents


def _jvp(fun: Fun, primals: tuple, tangents: tuple, has_aux: bool):
    if not has_aux:
        return _push(fun, primals, tangents, "jvp")
    main, read_aux = with_aux(fun, "jvp")
    out, out_tangent = _push(main, primals, tangents, "jvp")
    return out, out_tangent, read_aux()


def _push(fun: Fun, primals: tuple, tangents: tuple, who: str):
    """``push_forward``, or, when some primitive has a VJP but no JVP, the same
    ``(out, J t)`` from two reverse passes (``fallback.jvp_by_reverse``)."""
    return run_modes(who, [(FWD, lambda: push_forward(fun, primals, tangents)),
                           (REV, lambda: jvp_by_reverse(fun, primals, tangents))]).value


def tensor_jacobian_product(fun: Fun, argnum: ArgNum = 0) -> Fun:
    """``tjp(*args, v) = tensordot(v, J, v.ndim)``: for ``v`` shaped like the output,
    the vector-Jacobian product ``v^T J`` (autograd's; ``vector_jacobian_product``
    is the same function).

    Parameters
    ----------
    fun : callable
        The function.
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0).

    Returns
    -------
    callable
        Taking ``fun``'s arguments followed by ``v`` and returning ``v^T J``.

    Raises
    ------
    TypeError
        If an input is an integer or not numeric.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> tensor_jacobian_product(lambda x: x ** 2)(np.array([1.0, 2.0]), np.ones(2))
    array([2., 4.])
    """
    def vector_dot_fun(*args, **kwargs):
        args, v = args[:-1], args[-1]
        return tensordot(v, fun(*args, **kwargs), axes=onp.ndim(v))
    return jacobian(vector_dot_fun, argnum, mode="rev")


vector_jacobian_product = tensor_jacobian_product


@transform("hessian_vector_product", prefix="hvp", trailing=1)
def hessian_tensor_product(unary: Fun, x: Any, v: Any) -> Any:
    """``hvp(*args, v) = H v``, forward-over-reverse (no Hessian is formed);
    reverse-over-reverse when some primitive has no JVP rule
    (``hessian_vector_product`` is the same function).

    Parameters
    ----------
    fun : callable
        A real scalar function.
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0).

    Returns
    -------
    callable
        Taking ``fun``'s arguments followed by ``v`` (shaped like the argument)
        and returning ``H v``.

    Raises
    ------
    TypeError
        If the output is not a real scalar, or an input is an integer.
    ValueError
        If ``v`` is not shaped like the differentiated argument.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> hessian_tensor_product(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]), np.ones(2))
    array([ 6., 12.])
    """
    _check_tangents(x, v, "hessian_vector_product(f)(x, v)")
    return _push(grad(unary), (x,), (v,), "hessian_vector_product")[1]


hessian_vector_product = hessian_tensor_product


@transform("make_hvp", prefix="hvp")
def make_hvp(unary: Fun, x: Any) -> tuple[Callable, Any]:
    """``make_hvp(f)(*args)`` returns ``(hvp, grad f(*args))`` with ``hvp(v) = H v``,
    reusing one tape of the gradient for many ``v`` (reverse-over-reverse); when
    some primitive has no VJP rule, ``hvp(v)`` is a forward pass over the gradient.

    Parameters
    ----------
    fun : callable
        A real scalar function.
    argnum : int or tuple of int, optional
        The argument(s) to differentiate with respect to (default 0).

    Returns
    -------
    callable
        Taking ``fun``'s arguments and returning ``(hvp, gradient)``.

    Raises
    ------
    TypeError
        If the output is not a real scalar, or an input is an integer.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> hvp, g = make_hvp(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    >>> g, hvp(np.array([1.0, 0.0]))
    (array([ 3., 12.]), array([6., 0.]))
    """
    g = grad(unary)

    def fwd():
        return (lambda v: _push(g, (x,), (v,), "make_hvp")[1]), g(x)
    return run_modes("make_hvp", [(REV, lambda: make_vjp(g)(x)), (FWD, fwd)]).value


def make_ggnvp(f: Fun, g: Fun = lambda x: 0.5 * (x ** 2).sum(axis=-1), f_argnum: int = 0) -> Fun:
    """Generalized Gauss-Newton vector products ``J_f^T H_g J_f v`` (autograd's API),
    for a loss ``g(f(x))``: the curvature of ``g`` pulled back through ``f``'s
    linearisation (positive semi-definite for convex ``g``).

    Parameters
    ----------
    f : callable
        The model, ``x -> y``.
    g : callable, optional
        The loss of ``y``, scalar (default ``0.5 * sum(y ** 2, axis=-1)``).
    f_argnum : int, optional
        The argument of ``f`` that ``v`` belongs to (default 0).

    Returns
    -------
    callable
        Taking ``f``'s arguments and returning ``ggnvp``, with ``ggnvp(v)`` shaped
        like the argument.

    Raises
    ------
    TypeError
        If an input is an integer, or ``g`` is not scalar.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> ggnvp = make_ggnvp(lambda x: 2.0 * x, lambda y: 0.5 * np.sum(y ** 2))(np.ones(2))
    >>> ggnvp(np.array([1.0, 0.0]))
    array([4., 0.])
    """
    def ggnvp_maker(*args, **kwargs):
        f_vjp, f_x = make_vjp(f, f_argnum)(*args, **kwargs)
        g_hvp, _ = make_hvp(g)(f_x)
        f_jvp = make_jvp(f, f_argnum)(*args, **kwargs)

        def ggnvp(v):
            return f_vjp(g_hvp(f_jvp(v)[1]))
        return ggnvp
    return ggnvp_maker
