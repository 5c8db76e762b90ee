"""Typical user code, type-checked by ``mypy --strict`` in CI (see setup.cfg, [mypy]).

Every call into dualgrad here must be to a typed function: mypy's strict mode reports
a call to an unannotated function (``no-untyped-call``) and a wrong argument type, so
this file fails CI if the public API loses its annotations. ``main()`` runs it.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Callable

import numpy as onp

import dualgrad.numpy as np
from dualgrad import (check_grads, custom_jvp, custom_vjp, grad, hessian, jacfwd, jacobian,
                      jacrev, jvp, laplacian, linear_operator, linearize, register_pytree_node,
                      stop_gradient, value_and_grad, vjp, vmap)
from dualgrad import sparse
from dualgrad.extend import defvjp, primitive
from dualgrad.misc import flatten
from dualgrad.misc.optimizers import adam
from dualgrad.test_util import check_vjp

if TYPE_CHECKING:
    from typing_extensions import assert_type  # typing.assert_type is 3.11+

    from dualgrad.core.primitives import Primitive
    from dualgrad.interpreters.linear import LinearProgram
    from dualgrad.misc.optimizers import Optimizer
    from dualgrad.sparse import SparseHessian, SparseJacobian
    from dualgrad.transforms.transform import Transform


def loss(w: Any, x: Any) -> Any:
    return np.sum(np.tanh(x @ w) ** 2)


def field(x: Any) -> Any:
    return np.array([x[0] ** 2 * x[1], 5 * x[0] + np.sin(x[1])])


def residual(u: Any) -> Any:
    return u[1:] - u[:-1] ** 2


@primitive
def cube(x: Any) -> Any:
    return x ** 3


defvjp(cube, lambda ans, x: lambda g: 3 * g * x ** 2)


@custom_jvp
def softplus(x: Any) -> Any:
    return np.log1p(np.exp(x))


@softplus.defjvp
def softplus_jvp(primals: tuple[Any, ...], tangents: tuple[Any, ...]) -> tuple[Any, Any]:
    (x,), (t,) = primals, tangents
    return softplus(x), t / (1 + np.exp(-x))


@custom_vjp
def clip_gradient(x: Any) -> Any:
    return x


def clip_fwd(x: Any) -> tuple[Any, None]:
    return x, None


def clip_bwd(res: None, g: Any) -> tuple[Any]:
    return (np.clip(g, -1.0, 1.0),)


clip_gradient.defvjp(clip_fwd, clip_bwd)


@dataclasses.dataclass
class Params:
    w: Any
    b: Any


class Pair:
    def __init__(self, a: Any, b: Any) -> None:
        self.a, self.b = a, b


def _pair_flatten(p: Pair) -> tuple[tuple[Any, Any], None]:
    return (p.a, p.b), None


def _pair_unflatten(aux: None, children: Any) -> Pair:
    return Pair(*children)


register_pytree_node(Pair, _pair_flatten, _pair_unflatten)


def main() -> dict[str, Any]:
    """Run each typed call once and return what it computed (the tests check it)."""
    w = onp.linspace(-1.0, 1.0, 3)
    x = onp.arange(6.0).reshape(2, 3) / 6
    out: dict[str, Any] = {}
    out["grad"] = grad(loss)(w, x)
    out["value_and_grad"] = value_and_grad(loss, 1)(w, x)
    out["jacobian"] = jacobian(field)(onp.array([1.0, 2.0]))
    out["jacobian_explained"] = jacobian(field, explain=True)(onp.array([1.0, 2.0]))
    out["jacfwd"] = jacfwd(field)(onp.array([1.0, 2.0]))
    out["jacrev"] = jacrev(field)(onp.array([1.0, 2.0]))
    out["hessian"] = hessian(lambda v: np.sum(v ** 4))(w)
    out["vmap"] = vmap(grad(lambda v: np.sum(np.sin(v))))(x)
    out["jvp"] = jvp(np.sin, (w,), (onp.ones(3),))
    ans, pull = vjp(np.sin, w)
    out["vjp"] = pull(onp.ones(3))
    out["sparse_jacobian"] = sparse.jacobian(residual)(onp.linspace(0.0, 1.0, 6))
    out["sparse_hessian"] = sparse.hessian(lambda u: np.sum(u ** 3))(w)
    out["linear_operator"] = linear_operator(field, onp.array([1.0, 2.0])).matvec(onp.ones(2))
    flat, unflatten = flatten({"a": w, "b": (x, 2.0)})
    out["flatten"] = unflatten(flat)
    out["adam"] = adam(lambda v, i: grad(lambda u: np.sum(u ** 2))(v), w, num_iters=5)
    out["cube"] = grad(cube)(2.0)
    out["stop_gradient"] = grad(lambda v: v * stop_gradient(v))(3.0)
    out["custom_jvp"] = grad(softplus)(0.0)
    out["custom_vjp"] = grad(lambda v: 5.0 * clip_gradient(v))(2.0)
    out["dataclass"] = grad(lambda p: np.sum(p.w * p.b))(Params(w, 2.0))
    out["pytree"] = grad(lambda p: p.a * p.b ** 2)(Pair(2.0, 3.0))
    y, f_jvp = linearize(np.sin, w)
    out["linearize"] = f_jvp(onp.ones(3))
    out["laplacian"] = laplacian(lambda v: np.sum(v ** 4))(w)
    check_grads(loss, modes=["fwd", "rev"], order=2)(w, x)
    check_vjp(np.sin, w)
    return out


if TYPE_CHECKING:
    # No Any leaks from dualgrad: each public object has its declared type, exactly
    # (assert_type fails on Any). Arrays are Any: dualgrad.numpy is built at import time.
    Fun = Callable[..., Any]
    assert_type(grad, Transform)
    assert_type(grad(loss), Fun)
    assert_type(value_and_grad(loss), Fun)
    assert_type(jacobian(field), Fun)
    assert_type(jacfwd(field), Fun)
    assert_type(jacrev(field), Fun)
    assert_type(hessian(loss), Fun)
    assert_type(vmap(field), Fun)
    assert_type(sparse.jacobian(residual), SparseJacobian)
    assert_type(sparse.hessian(residual), SparseHessian)
    assert_type(cube, Primitive)
    assert_type(adam, Optimizer)
    assert_type(flatten(1.0), tuple[Any, Callable[[Any], Any]])
    assert_type(check_grads(loss), Fun)
    assert_type(laplacian(loss), Callable[..., Any])
    assert_type(linearize(np.sin, 1.0), tuple[Any, LinearProgram])
    assert_type(register_pytree_node(Pair, _pair_flatten, _pair_unflatten), None)


if __name__ == "__main__":
    for key, value in main().items():
        print(key, value)
