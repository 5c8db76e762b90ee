"""scipy.integrate.odeint: derivatives without taping through solver steps.

For dy/dt = f(y, t, p) solved at times t_0 < ... < t_{T-1}, the primitive takes
one packed vector [y0, t, p] (p the flattened extra ``args``), so that one
sensitivity solve serves every input.

JVP (forward sensitivity): s = dy(t)/d(inputs)·(dy0, dt, dp) solves
    ds/dt = f_y s + f_p dp,   s(t_0) = dy0 - f(y0, t_0) dt_0,
and the output tangent at t_i is s(t_i) + f(y_i, t_i) dt_i.

VJP (adjoint method; Froehlich et al. 2017, arXiv:1711.08079, §2.4.2): with
the adjoint a = ∂L/∂y(t), solve backwards between observation times
    da/dt = -aᵀ f_y,   da_p/dt = -aᵀ f_p,   da_t/dt = -aᵀ f_t,
adding g_i to a at each t_i; ȳ0 = a(t_0), p̄ = a_p(t_0), and
t̄_i = f(y_i, t_i)·g_i (t̄_0 collects the rest).

Both rules call the odeint primitive again on an augmented system (whose
right-hand side uses dualgrad's own jvp/vjp of f), so they are themselves
differentiable: higher derivatives work.
"""
from __future__ import annotations

import numpy as onp
import scipy.integrate as sint

from ..core import Primitive, Tracer, holds_tracer
from ..interpreters.forward import push_forward
from ..interpreters.reverse import pull_back
from ._helpers import shape_of
from .flatten import flatten
from .linalg import dot
from .shape import concatenate, getitem, reshape, stack


def _split(packed, n, nt):
    return getitem(packed, slice(0, n)), getitem(packed, slice(n, n + nt)), \
        getitem(packed, slice(n + nt, None))


def _solve(packed, *, fun, n, nt, options):
    y0, t, p = packed[:n], packed[n:n + nt], packed[n + nt:]
    return sint.odeint(lambda y, tt: fun(y, tt, p), y0, t, **options)


odeint_p = Primitive(_solve, "odeint")


def _rows(ans, t, p, fun):
    """f(y_i, t_i, p) for every output row, as a (T, n) array."""
    return stack([fun(ans[i], t[i], p) for i in range(shape_of(ans)[0])])


def _sensitivity_rhs(fun, n, m):
    """Right-hand side of [y, s]: [f, f_y s + f_p dp] with args [p, dp]."""
    def rhs(state, tt, pp):
        y, s, p, dp = state[:n], state[n:], pp[:m], pp[m:]
        return concatenate(push_forward(lambda y_, p_: fun(y_, tt, p_), (y, p), (s, dp)))
    return rhs


def _odeint_jvp(tp, ans, packed, *, fun, n, nt, options):
    y0, t, p = _split(packed, n, nt)
    dy0, dt, dp = _split(tp, n, nt)
    m = shape_of(p)[0]
    s0 = dy0 - fun(y0, t[0], p) * dt[0]
    aug = concatenate([y0, s0, t, p, dp])
    sens = odeint_p(aug, fun=_sensitivity_rhs(fun, n, m), n=2 * n, nt=nt, options=options)
    return sens[:, n:] + _rows(ans, t, p, fun) * reshape(dt, shape=(nt, 1))


def _adjoint_rhs(fun, n):
    """Right-hand side of [y, a, a_t, a_p] backwards in time."""
    def rhs(state, tt, p):
        y, a = state[:n], state[n:2 * n]
        f, pull = pull_back(fun, (y, tt, p))
        vy, vt, vp = pull(-a)
        return concatenate([f, vy, reshape(vt, shape=(1,)), vp])
    return rhs


def _odeint_vjp(g, ans, packed, *, fun, n, nt, options):
    y0, t, p = _split(packed, n, nt)
    m = shape_of(p)[0]
    rhs = _adjoint_rhs(fun, n)
    a_y, a_t0, a_p = g[nt - 1], 0.0 * t[0], onp.zeros(m)
    t_bars = []
    for i in range(nt - 1, 0, -1):
        t_bar = dot(fun(ans[i], t[i], p), g[i])
        t_bars.append(t_bar)
        a_t0 = a_t0 - t_bar
        state = concatenate([ans[i], a_y, reshape(a_t0, shape=(1,)), a_p])
        span = stack([t[i], t[i - 1]])
        back = odeint_p(concatenate([state, span, p]), fun=rhs, n=2 * n + 1 + m, nt=2,
                        options=options)[1]
        a_y, a_t0, a_p = back[n:2 * n] + g[i - 1], back[2 * n], back[2 * n + 1:]
    t_bars.append(a_t0)
    return concatenate([a_y, stack(t_bars[::-1]), a_p])


odeint_p.def_jvp(_odeint_jvp)
odeint_p.def_vjp(_odeint_vjp)


def _flatten_args(args):
    return flatten(tuple(args))


_UNSUPPORTED_TRACED = ("Dfun", "col_deriv", "full_output", "ml", "mu")


def odeint(func, y0, t, args=(), Dfun=None, col_deriv=0, full_output=0, tfirst=False,
           **options):
    """scipy.integrate.odeint, differentiable in ``y0``, ``t`` and the values in
    ``args`` (a tuple that may hold traced arrays, or containers of them).

    Derivatives use the adjoint method (reverse mode) and forward sensitivities
    (forward mode); solver tolerances (``rtol``, ``atol``...) apply to those
    solves too. ``func`` must be written with dualgrad.numpy.
    """
    if not isinstance(args, tuple):
        args = (args,)
    if not (isinstance(y0, Tracer) or isinstance(t, Tracer) or holds_tracer(args)):
        return sint.odeint(func, y0, t, args=args, Dfun=Dfun, col_deriv=col_deriv,
                           full_output=full_output, tfirst=tfirst, **options)
    if Dfun is not None or full_output or col_deriv:
        raise TypeError("odeint with traced inputs does not support Dfun, col_deriv or "
                        "full_output (the derivatives come from dualgrad); drop them.")
    from .shape import ravel
    y0 = reshape(y0, shape=(1,)) if len(shape_of(y0)) == 0 else y0
    t = ravel(t) if isinstance(t, Tracer) else onp.asarray(t, dtype=float).ravel()
    flat_p, unflatten = _flatten_args(args)
    n, nt = shape_of(y0)[0], shape_of(t)[0]

    def fun(y, tt, p):
        return func(tt, y, *unflatten(p)) if tfirst else func(y, tt, *unflatten(p))

    packed = concatenate([y0, t, flat_p])
    return odeint_p(packed, fun=fun, n=n, nt=nt, options=options)


INTEGRATE = dict(odeint=odeint)
__all__: list[str] = []  # scipy names are not numpy names: not part of RULES
