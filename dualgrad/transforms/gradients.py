"""Reverse-mode transforms: grad, value_and_grad, grad_and_aux, elementwise_grad, make_vjp,
holomorphic_grad, and the gradients by argument name."""
from __future__ import annotations

import inspect
from typing import Any, Callable

import numpy as onp

from ..core import Tracer, getval, tree_flatten, vspace
from ..interpreters.reverse import pull_back
from ..numpy import real
from . import checks
from .fallback import FWD, REV, elementwise_grad_by_forward, grad_by_forward, run_modes
from .transform import ArgNum, Fun, _size, _wraps, transform


@transform("make_vjp", prefix="vjp")
def make_vjp(unary: Fun, x: Any) -> tuple[Callable, Any]:
    """``make_vjp(f)(*args)`` returns ``(vjp, f(*args))``; ``vjp(g) = g^T J``."""
    ans, pull = pull_back(unary, (x,))
    return (lambda g: pull(g)[0]), ans


def _scalar_output(ans, who: str) -> None:
    if _size(ans) != 1 or isinstance(ans, (tuple, list, dict)):
        shape = onp.shape(getval(ans)) if not isinstance(ans, (tuple, list, dict)) else type(ans).__name__
        raise TypeError(
            f"{who} needs a scalar output, but the function returned shape {shape}. Use "
            "jacobian(f) for the full derivative or elementwise_grad(f) for an elementwise "
            "one, or reduce the output first (e.g. dualgrad.numpy.sum).")
    kind = onp.result_type(getval(ans)).kind
    if kind == "c":
        raise TypeError(
            f"{who} needs a real scalar output, but the function returned a complex number. "
            "Use holomorphic_grad(f) for the complex derivative of a holomorphic f, or "
            "differentiate the real part (grad(lambda z: np.real(f(z)))).")
    if kind == "b":  # (an integer output, as a step function's, has derivative 0)
        raise TypeError(
            f"{who}: the function returned a boolean ({getval(ans)!r}), which has no "
            "derivative (comparisons such as np.allclose are not differentiable). Return "
            "a float computed from the input.")


def _value_and_grad(unary: Fun, x: Any) -> tuple[Any, Any]:
    """``(f(x), grad f(x))``: one tape and one backward pass, or the gradient from
    forward mode (n directions) when some primitive has no VJP rule."""
    def check(ans):
        checks.check_output_number(ans, "grad(f)")
        _scalar_output(ans, "grad(f)")

    def rev():
        ans, pull = pull_back(unary, (x,), once=True)
        check(ans)
        return ans, pull(vspace(ans).ones())[0]
    return run_modes("grad", [(REV, rev), (FWD, lambda: grad_by_forward(unary, x, check))]).value


@transform("value_and_grad", who="grad", float_ints=True)
def value_and_grad(unary: Fun, x: Any) -> tuple[Any, Any]:
    """``(f(x), grad f(x))`` from one forward and one backward pass."""
    return _value_and_grad(unary, x)


def _grad_name(fun: Fun, argnum: ArgNum) -> tuple[str, str]:
    name = _name(fun)  # autograd's name and docstring for the result
    return (f"grad_of_{name}_wrt_argnum_{argnum}",
            f"    grad of function {name} with respect to argument number {argnum}. "
            f"Takes the\n    same arguments as {name} but returns the grad.\n")


@transform("grad", float_ints=True, named=_grad_name)
def grad(unary: Fun, x: Any) -> Any:
    """
    Returns a function which computes the gradient of a scalar-valued ``fun`` with
    respect to argument ``argnum`` (autograd's wording).

    For ``f(z) = u + i v`` of a complex ``z`` it is ``du/dx - i du/dy``.

    >>> import dualgrad.numpy as np
    >>> float(grad(np.sin)(0.0))
    1.0
    """
    return _value_and_grad(unary, x)[1]


@transform("grad_and_aux", float_ints=True)
def grad_and_aux(unary: Fun, x: Any) -> tuple[Any, Any]:
    """For ``fun`` returning ``(loss, aux)``: returns ``(grad loss, aux)``.

    ``aux`` may be anything (strings, None, arrays computed from ``x``): it is
    returned as it is, with values traced by this transform made plain."""
    seen = []  # (aux, the level that traced it)

    def loss_only(xv):  # only the loss is differentiated: aux needs no vector space
        out = unary(xv)
        checks.check_pair_output(out)
        leaves = tree_flatten(xv)[0]
        seen.append((out[1], leaves[0]._level if leaves else None))
        return out[0]
    ans, pull = pull_back(loss_only, (x,), once=True)
    checks.check_output_number(ans, "grad_and_aux(f)")
    _scalar_output(ans, "grad_and_aux(f)")
    aux, level = seen[-1]
    return pull(vspace(ans).ones())[0], checks.unwrap_level(aux, level)


@transform("elementwise_grad", float_ints=True)
def elementwise_grad(unary: Fun, x: Any) -> Any:
    """The sum of the Jacobian's rows: ``J^T 1``. Equals the elementwise derivative
    when output i depends only on input i (e.g. ``np.sin`` applied to a grid)."""
    def rev():
        ans, pull = pull_back(unary, (x,), once=True)
        return pull(_ones_like(ans))[0]
    return run_modes("elementwise_grad", [
        (REV, rev), (FWD, lambda: elementwise_grad_by_forward(unary, x))]).value


def _name(fun: Fun) -> str:
    return getattr(fun, "__name__", "f")


def _ones_like(ans):
    """The all-ones cotangent; for a large real array a read-only broadcast view
    (no 8 bytes per entry to write), which ``pull_back`` copies if returned as is."""
    v = getval(ans)
    if type(v) is onp.ndarray and v.dtype.kind == "f" and v.size > 4096 and not isinstance(
            ans, Tracer):
        return onp.broadcast_to(onp.ones((), v.dtype), v.shape)
    return vspace(ans).ones()


@transform("holomorphic_grad")
def holomorphic_grad(unary: Fun, x: Any) -> Any:
    """The complex derivative f'(z) of a holomorphic scalar ``fun``.

    It equals ``grad(fun)`` (the convention's du/dx - i du/dy, which is f'(z) when
    the Cauchy-Riemann equations hold); the name records that you rely on
    holomorphy. For a non-holomorphic ``fun`` it is the gradient of Re f; all four
    real partials come from ``jacobian(fun, complex_layout="real")``.

    >>> import dualgrad.numpy as np
    >>> complex(holomorphic_grad(lambda z: z ** 2)(1.0 + 2.0j))
    (2+4j)
    """
    return _value_and_grad(lambda v: real(unary(v)), x)[1]


def multigrad_dict(fun: Fun) -> Fun:
    """Gradients with respect to every argument (defaults included), as a dict
    keyed by parameter name; a ``*args`` entry is a tuple, a ``**kwargs`` one a dict."""
    sig = inspect.signature(fun)
    P = inspect.Parameter

    def call(values: dict):
        pos, kw = [], {}
        for name, p in sig.parameters.items():
            if name not in values:
                continue
            if p.kind == P.VAR_POSITIONAL:
                pos.extend(values[name])
            elif p.kind == P.VAR_KEYWORD:
                kw.update(values[name])
            elif p.kind == P.KEYWORD_ONLY:
                kw[name] = values[name]
            else:
                pos.append(values[name])
        return fun(*pos, **kw)

    def mgd(*args, **kwargs):
        bound = sig.bind(*args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        return dict(grad(call)(values))
    return _wraps(fun, "multigrad_dict")(mgd)


def grad_named(fun: Fun, argname: str) -> Fun:
    """The gradient with respect to the argument called ``argname``."""
    names = list(inspect.signature(fun).parameters)
    if argname not in names:
        raise TypeError(f"grad_named: {getattr(fun, '__name__', 'the function')} has no "
                        f"parameter {argname!r}; its parameters are {', '.join(names)}.")
    return grad(fun, names.index(argname))
