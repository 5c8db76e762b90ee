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

from .. import numpy as dnp
from .flatten import flatten


def unflatten_optimizer(optimize):
    """Turn an optimizer of flat vectors into one of nested containers."""
    @functools.wraps(optimize)
    def structured(grad, x0, callback=None, *args, **kwargs):
        flat_x0, unflatten = flatten(x0)

        def flat_grad(x, i):
            return flatten(grad(unflatten(x), i))[0]

        flat_callback = None
        if callback:
            def flat_callback(x, i, g):
                return callback(unflatten(x), i, unflatten(g))
        return unflatten(optimize(flat_grad, flat_x0, flat_callback, *args, **kwargs))
    sig = inspect.signature(optimize)
    structured.__signature__ = sig.replace(parameters=[
        p.replace(name="x0") if p.name == "x" else p for p in sig.parameters.values()])
    return structured


@unflatten_optimizer
def sgd(grad, x, callback=None, num_iters=200, step_size=0.1, mass=0.9):
    """Stochastic gradient descent with momentum ``mass``."""
    velocity = dnp.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@unflatten_optimizer
def rmsprop(grad, x, callback=None, num_iters=100, step_size=0.1, gamma=0.9, eps=10**-8):
    """RMSProp: steps scaled by a running root-mean-square of the gradients."""
    avg_sq_grad = dnp.ones(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        avg_sq_grad = avg_sq_grad * gamma + g ** 2 * (1 - gamma)
        x = x - step_size * g / (dnp.sqrt(avg_sq_grad) + eps)
    return x


@unflatten_optimizer
def adam(grad, x, callback=None, num_iters=100, step_size=0.001, b1=0.9, b2=0.999, eps=10**-8):
    """Adam (Kingma & Ba, arXiv:1412.6980): RMSProp with momentum and bias correction."""
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
