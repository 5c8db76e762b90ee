"""Products with the Jacobian and the Hessian: jvp, vjp (JAX's forms), make_jvp, deriv,
tensor_jacobian_product, hessian_vector_product, make_hvp, make_ggnvp."""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as onp

from ..core import vspace
from ..interpreters.forward import push_forward
from ..interpreters.reverse import pull_back
from ..numpy import tensordot
from . import checks
from .fallback import FWD, REV, jvp_by_reverse, run_modes
from .gradients import grad, make_vjp
from .jacobian import jacobian
from .transform import ArgNum, Fun, _check_input, _check_tangents, transform, with_aux


def vjp(fun: Fun, *primals: Any, has_aux: bool = False, **options: Any):
    """JAX-style: ``out, f_vjp = vjp(f, *primals)``; ``f_vjp(g)`` is a tuple."""
    checks.check_fun(fun, "vjp")
    checks.refuse_options("vjp", options, {"has_aux"})
    has_aux = checks.check_flag(has_aux, "has_aux", "vjp")
    _check_input(primals, "vjp")
    if not has_aux:
        return pull_back(fun, primals)
    main, read_aux = with_aux(fun, "vjp")
    out, f_vjp = pull_back(main, primals)
    return out, f_vjp, read_aux()


@transform("make_jvp", prefix="jvp")
def make_jvp(unary: Fun, x: Any) -> Callable:
    """``make_jvp(f)(*args)`` returns ``jvp`` with ``jvp(v) = (f(*args), J v)``."""
    def jvp_at(v):
        _check_tangents(x, v, "make_jvp")
        return _push(unary, (x,), (v,), "make_jvp")
    return jvp_at


@transform("deriv")
def deriv(unary: Fun, x: Any) -> Any:
    """Forward-mode derivative along the all-ones direction: ``J 1``.
    For a scalar input this is the ordinary derivative."""
    return _push(unary, (x,), (vspace(x).ones(),), "deriv")[1]


def jvp(fun: Fun, primals: Sequence, tangents: Sequence, *, has_aux: bool = False,
        **options: Any):
    """JAX-style: ``out, out_tangent = jvp(f, primals, tangents)``."""
    checks.check_fun(fun, "jvp")
    checks.refuse_options("jvp", options, {"has_aux"})
    has_aux = checks.check_flag(has_aux, "has_aux", "jvp")
    checks.check_jvp_args(primals, tangents)
    primals, tangents = tuple(primals), tuple(tangents)
    _check_input(primals, "jvp")
    _check_tangents(primals, tangents, "jvp")
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
    the vector-Jacobian product ``v^T J``."""
    def vector_dot_fun(*args, **kwargs):
        args, v = args[:-1], args[-1]
        return tensordot(v, fun(*args, **kwargs), axes=onp.ndim(v))
    return jacobian(vector_dot_fun, argnum, mode="rev")


vector_jacobian_product = tensor_jacobian_product


@transform("hessian_vector_product", prefix="hvp", trailing=1)
def hessian_tensor_product(unary: Fun, x: Any, v: Any) -> Any:
    """``hvp(*args, v) = H v``, forward-over-reverse (no Hessian is formed);
    reverse-over-reverse when some primitive has no JVP rule."""
    _check_tangents(x, v, "hessian_vector_product(f)(x, v)")
    return _push(grad(unary), (x,), (v,), "hessian_vector_product")[1]


hessian_vector_product = hessian_tensor_product


@transform("make_hvp", prefix="hvp")
def make_hvp(unary: Fun, x: Any) -> tuple[Callable, Any]:
    """``make_hvp(f)(*args)`` returns ``(hvp, grad f(*args))`` with ``hvp(v) = H v``,
    reusing one tape of the gradient for many ``v`` (reverse-over-reverse); when
    some primitive has no VJP rule, ``hvp(v)`` is a forward pass over the gradient."""
    g = grad(unary)

    def fwd():
        return (lambda v: _push(g, (x,), (v,), "make_hvp")[1]), g(x)
    return run_modes("make_hvp", [(REV, lambda: make_vjp(g)(x)), (FWD, fwd)]).value


def make_ggnvp(f: Fun, g: Fun = lambda x: 0.5 * (x ** 2).sum(axis=-1), f_argnum: int = 0) -> Fun:
    """Generalized Gauss-Newton vector products ``J_f^T H_g J_f v`` (autograd's API)."""
    def ggnvp_maker(*args, **kwargs):
        f_vjp, f_x = make_vjp(f, f_argnum)(*args, **kwargs)
        g_hvp, _ = make_hvp(g)(f_x)
        f_jvp = make_jvp(f, f_argnum)(*args, **kwargs)

        def ggnvp(v):
            return f_vjp(g_hvp(f_jvp(v)[1]))
        return ggnvp
    return ggnvp_maker
