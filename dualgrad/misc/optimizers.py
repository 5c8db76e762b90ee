"""Gradient-based optimizers with autograd's signatures: sgd, rmsprop, adam.

``grad(x, i)`` gives the gradient at iteration ``i``; ``x0`` may be any nesting
of tuples, lists and dicts of arrays (it is flattened, optimized as one vector
and unflattened); ``callback(x, i, g)`` sees the structured values. The update
rules are plain numpy, so these functions can themselves be differentiated
(e.g. for meta-optimization) when ``grad`` is written with dualgrad.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Protocol

from .. import numpy as dnp
from ..core.docs import shared_doc
from .flatten import flatten

_docs = shared_doc(start="""
    grad : callable
        ``grad(x, i)``: the gradient at ``x`` in iteration ``i`` (e.g.
        ``dualgrad.grad(objective)`` of an ``objective(x, i)``).
    x0 : array_like or container
        The start; any nesting of tuples, lists and dicts of arrays.
    callback : callable, optional
        ``callback(x, i, g)`` before each step, with structured values.
    num_iters : int
        Steps taken.
    step_size : float
        The learning rate.
""", ends="""
    Returns
    -------
    array or container
        The last iterate, structured like ``x0``.

    Raises
    ------
    TypeError
        When ``x0`` holds something that is not an array or number.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import grad
    >>> objective = lambda p, i: np.sum((p["w"] - 3.0) ** 2)
""")

Gradient = Callable[[Any, int], Any]  # grad(x, i): the gradient at iteration i
Callback = Callable[[Any, int, Any], Any]  # callback(x, i, g)


class Optimizer(Protocol):
    """``optimizer(grad, x0, callback=None, num_iters=..., step_size=..., ...)``."""

    def __call__(self, grad: Gradient, x0: Any, callback: Callback | None = None,
                 *args: Any, **kwargs: Any) -> Any: ...


def unflatten_optimizer(optimize: Callable[..., Any]) -> Optimizer:
    """Turn an optimizer of flat vectors into one of nested containers."""
    @functools.wraps(optimize)
    def structured(grad: Gradient, x0: Any, callback: Callback | None = None,
                   *args: Any, **kwargs: Any) -> Any:
        flat_x0, unflatten = flatten(x0)

        def flat_grad(x: Any, i: int) -> Any:
            return flatten(grad(unflatten(x), i))[0]

        flat_callback = None
        if callback:
            def flat_callback(x: Any, i: int, g: Any) -> Any:
                return callback(unflatten(x), i, unflatten(g))
        return unflatten(optimize(flat_grad, flat_x0, flat_callback, *args, **kwargs))
    sig = inspect.signature(optimize)
    structured.__signature__ = sig.replace(parameters=[  # type: ignore[attr-defined]
        p.replace(name="x0") if p.name == "x" else p for p in sig.parameters.values()])
    return structured


@unflatten_optimizer
@_docs
def sgd(grad: Gradient, x: Any, callback: Callback | None = None, num_iters: int = 200,
        step_size: float = 0.1, mass: float = 0.9) -> Any:
    r"""Stochastic gradient descent with momentum ``mass``:
    :math:`v \leftarrow \mu v - (1 - \mu) g`, :math:`x \leftarrow x + \eta v`.

    Parameters
    ----------
    %(start)s
    mass : float
        The momentum :math:`\mu`.

    %(ends)s
    >>> p = sgd(grad(objective), {"w": np.zeros(2)}, num_iters=500, step_size=0.5)
    >>> np.round(p["w"], 3)
    array([3., 3.])
    """
    velocity = dnp.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@unflatten_optimizer
@_docs
def rmsprop(grad: Gradient, x: Any, callback: Callback | None = None, num_iters: int = 100,
            step_size: float = 0.1, gamma: float = 0.9, eps: float = 10**-8) -> Any:
    r"""RMSProp: steps scaled by a running root-mean-square of the gradients,
    :math:`s \leftarrow \gamma s + (1 - \gamma) g^2`,
    :math:`x \leftarrow x - \eta g / (\sqrt{s} + \epsilon)`.

    Parameters
    ----------
    %(start)s
    gamma : float
        The decay of the running mean square.
    eps : float
        Keeps the division finite.

    %(ends)s
    >>> p = rmsprop(grad(objective), {"w": np.zeros(2)}, num_iters=300, step_size=0.1)
    >>> np.round(p["w"], 3)
    array([3., 3.])
    """
    avg_sq_grad = dnp.ones(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        avg_sq_grad = avg_sq_grad * gamma + g ** 2 * (1 - gamma)
        x = x - step_size * g / (dnp.sqrt(avg_sq_grad) + eps)
    return x


@unflatten_optimizer
@_docs
def adam(grad: Gradient, x: Any, callback: Callback | None = None, num_iters: int = 100,
         step_size: float = 0.001, b1: float = 0.9, b2: float = 0.999,
         eps: float = 10**-8) -> Any:
    r"""Adam (Kingma & Ba, arXiv:1412.6980): RMSProp with momentum and bias correction,
    :math:`m \leftarrow \beta_1 m + (1 - \beta_1) g`,
    :math:`v \leftarrow \beta_2 v + (1 - \beta_2) g^2`,
    :math:`x \leftarrow x - \eta \hat m / (\sqrt{\hat v} + \epsilon)` with
    :math:`\hat m = m / (1 - \beta_1^{i+1})`, :math:`\hat v = v / (1 - \beta_2^{i+1})`.

    Parameters
    ----------
    %(start)s
    b1, b2 : float
        The decays :math:`\beta_1, \beta_2` of the first and second moments.
    eps : float
        Keeps the division finite.

    %(ends)s
    >>> p = adam(grad(objective), {"w": np.zeros(2)}, num_iters=500, step_size=0.1)
    >>> np.round(p["w"], 3)
    array([3., 3.])
    """
    m = dnp.zeros(len(x))
    v = dnp.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * (g ** 2) + b2 * v
        mhat = m / (1 - b1 ** (i + 1))
        vhat = v / (1 - b2 ** (i + 1))
        x = x - step_size * mhat / (dnp.sqrt(vhat) + eps)
    return x
