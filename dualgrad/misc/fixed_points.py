"""Fixed points with implicit derivatives (autograd's ``fixed_point``).

``fixed_point(f, a, x0, distance, tol)`` iterates ``x <- f(a)(x)`` from ``x0``
until ``distance(x, x_prev) <= tol`` and returns x* = f(a)(x*). Its derivative
in ``a`` comes from the implicit function theorem, not from the iterations:
    dx* = (I - ∂f/∂x)⁻¹ ∂f/∂a da
  JVP: the fixed point of  v <- ∂f/∂x v + ∂f/∂a da
  VJP: ā = (∂f/∂a)ᵀ w  with w the fixed point of  w <- (∂f/∂x)ᵀ w + g
Both are found by the same iteration (they converge when f(a) is a contraction),
and both call ``fixed_point`` again, so higher derivatives work too.
"""
from __future__ import annotations

from ..core import Primitive, getval, peek
from ..interpreters.forward import push_forward
from ..interpreters.reverse import pull_back
from ..core.spaces import tree_map, vspace
from .flatten import flatten


def fixed_point(f, a, x0, distance, tol):
    r"""The fixed point x* = f(a)(x*) reached from ``x0``; differentiable in ``a``
    (any nesting of tuples/lists/dicts of arrays), by implicit differentiation:
    :math:`dx^* = (I - \partial_x f)^{-1} \partial_a f \, da`, itself found by
    a fixed-point iteration (so it converges when ``f(a)`` is a contraction),
    not by differentiating the iterations. Higher derivatives work too.

    Parameters
    ----------
    f : callable
        ``f(a)`` returns the step ``x -> f(a)(x)``.
    a : array_like or container
        The parameters (differentiable).
    x0 : array_like
        The start (a constant: the fixed point does not depend on it).
    distance : callable
        ``distance(x, x_prev)``, a number.
    tol : float
        Iterate until ``distance(x, x_prev) <= tol``.

    Returns
    -------
    array_like
        The fixed point x*.

    Raises
    ------
    Exception
        Whatever ``f`` or ``distance`` raise; it does not stop on its own if
        the iteration diverges.

    Examples
    --------
    >>> sqrt2 = fixed_point(lambda a: lambda x: 0.5 * (x + a / x), 2.0, 1.0,
    ...                     lambda x, y: abs(x - y), 1e-12)
    >>> round(float(sqrt2), 12)
    1.414213562373
    >>> from dualgrad import grad
    >>> d = grad(lambda a: fixed_point(lambda a: lambda x: 0.5 * (x + a / x), a, 1.0,
    ...                               lambda x, y: abs(x - y), 1e-12))(2.0)
    >>> round(float(d), 9) == round(0.5 / 2 ** 0.5, 9)  # d sqrt(a)/da
    True
    """
    flat_a, unflatten = flatten(a)
    return fixed_point_p(flat_a, f=f, unflatten=unflatten, x0=tree_map(getval, x0),
                         distance=distance, tol=tol)


# The primitive sees the parameters as one flat vector (so that tracers inside
# containers are visible to it); x0 does not change the fixed point: it is static.
def _iterate(flat_a, *, f, unflatten, x0, distance, tol):
    step = f(unflatten(flat_a))
    x, x_prev = step(x0), x0
    while distance(x, x_prev) > tol:
        x, x_prev = step(x), x
    return x


fixed_point_p = Primitive(_iterate, "fixed_point")


def _zeros_like(x):
    return vspace(tree_map(getval, x)).zeros()


# JVP: v* = fixed point of  v <- ∂f/∂x v + ∂f/∂a da   (parameters a, x*, da)
def _fixed_point_jvp(t, ans, flat_a, *, f, unflatten, x0, distance, tol):
    def tangent_step(params):
        a, x_star, da = params

        def step(v):
            return push_forward(lambda a_, x_: f(unflatten(a_))(x_), (a, x_star), (da, v))[1]
        return step
    return fixed_point(tangent_step, (flat_a, ans, t), _zeros_like(ans), distance, tol)


# VJP: w* = fixed point of  w <- (∂f/∂x)ᵀ w + g;   ā = (∂f/∂a)ᵀ w*   (parameters a, x*, g)
def _fixed_point_vjp(g, ans, flat_a, *, f, unflatten, x0, distance, tol):
    def adjoint_step(params):
        a, x_star, g_ = params
        pull = pull_back(f(unflatten(a)), (x_star,))[1]

        def step(w):
            return vspace(peek(x_star)).add(pull(w)[0], g_)
        return step
    w = fixed_point(adjoint_step, (flat_a, ans, g), _zeros_like(ans), distance, tol)
    return pull_back(lambda a_: f(unflatten(a_))(ans), (flat_a,))[1](w)[0]


fixed_point_p.def_jvp(_fixed_point_jvp)
fixed_point_p.def_vjp(_fixed_point_vjp)
