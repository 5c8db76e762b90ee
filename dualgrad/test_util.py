"""check_grads: test derivatives against numerical ones, in both modes, to any order.

For a function ``f`` at ``x`` and random directions ``v`` (input) and ``u``
(output):

- forward mode: the JVP ``J v`` must match the central difference
  ``(f(x + h v) - f(x - h v)) / 2h``;
- reverse mode: the VJP must satisfy ``<u, J v> = <J^T u, v>``. The right side
  uses the VJP; the left side uses the exact JVP when forward mode is checked
  too (then a mis-transposed VJP cannot hide in finite-difference noise) and
  the central difference as well;
- order k > 1: the same checks are applied to the maps ``(x, v) -> J v`` and
  ``(x, u) -> J^T u``, recursively.

Complex values use the real inner product Re(sum(conj(a) b)), under which the
convention's VJP of ``u`` is ``conj(J^T conj(u))`` (see rules/complex.py).

With ``reference="mpmath"`` the reference derivative is not a float64 difference
(whose error is at best about 1e-10 relative, the bottom of the V of truncation
against rounding error) but the derivative of ``t -> f(x + t v)`` at ``t = 0``
computed by ``mpmath.diff`` with ``f`` evaluated on mpmath numbers at ``dps``
digits. It is exact to far below float64 rounding, so the float64 derivatives are
held to ``rtol=1e-10``: a rule wrong in its sixth digit, invisible to differences
at ``rtol=1e-5``, fails.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as onp

from .core import getval
from .interpreters.forward import push_forward
from .interpreters.reverse import pull_back
from .transforms.transform import _unary
from .core.spaces import vspace

EPS, RTOL, ATOL = 1e-6, 1e-5, 1e-6
MP_RTOL, MP_ATOL = 1e-10, 1e-13   # reference="mpmath": float64 derivatives against exact
REFERENCES = ("differences", "mpmath")


def check_grads(fun: Callable, argnum: int | Sequence[int] | None = None,
                modes: Sequence[str] = ("fwd", "rev"), order: int = 2, *,
                eps: float = EPS, rtol: float | None = None, atol: float | None = None,
                seed: int = 0, reference: str = "differences", dps: int = 30) -> Callable:
    """``check_grads(f, modes=("fwd", "rev"), order=2)(*args)`` raises
    AssertionError, naming the check that failed, if a derivative is wrong.

    Forward mode: ``J v`` against the central difference ``(f(x + εv) - f(x - εv)) / 2ε``
    in a random direction ``v``. Reverse mode: the VJP against the JVP through
    ``<u, J v> = <Jᵀu, v>`` (so a mis-transposed VJP cannot hide in difference noise).
    Order k > 1 applies the same checks to ``(x, v) -> J v`` and ``(x, u) -> Jᵀu``.

    With ``reference="mpmath"`` the reference for ``J v`` is ``d/dt f(x + t v)`` at
    ``t = 0`` computed by ``mpmath.diff`` on ``f`` evaluated in mpmath numbers at
    ``dps`` digits (``x`` and ``v`` convert to mpmath exactly), instead of a float64
    difference. The reference is then exact to float64 rounding, and the default
    tolerances tighten from ``rtol=1e-5, atol=1e-6`` to ``rtol=1e-10, atol=1e-13``.
    ``fun`` must compute on mpmath numbers (mpf, and mpc for complex values), built
    from functions that have an mpmath path (``python -m dualgrad coverage`` lists them).

    Parameters
    ----------
    fun : callable
        The function to check; its arguments and output may be arrays, scalars or
        containers (tuples, lists, dicts) of them, real or complex.
    argnum : int or sequence of int, optional
        The positional arguments to check; by default every one.
    modes : sequence of {"fwd", "rev"}, default ("fwd", "rev")
        The modes to check.
    order : int, default 2
        The highest derivative order checked.
    eps, rtol, atol : float, keyword-only
        The difference step and the tolerances of the comparisons (by default
        ``1e-5, 1e-6`` against differences, ``1e-10, 1e-13`` against mpmath).
    seed : int, keyword-only, default 0
        The seed of the random directions.
    reference : {"differences", "mpmath"}, keyword-only, default "differences"
        What the JVP is compared with: float64 central differences, or mpmath's
        high-precision derivative of ``fun`` evaluated on mpmath numbers.
    dps : int, keyword-only, default 30
        The decimal digits of the mpmath reference.

    Returns
    -------
    callable
        ``check(*args, **kwargs)``, which returns None when every check passes.

    Raises
    ------
    AssertionError
        From ``check``, naming the mode, the order and the two values compared.
    ValueError
        If ``modes`` holds something other than "fwd" and "rev", or ``reference`` is
        unknown.
    TypeError
        From ``check`` with ``reference="mpmath"``, if ``fun`` cannot compute on
        mpmath numbers (it names the function without an mpmath path).

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> check_grads(np.sin)(np.array([0.3, 1.2]))
    >>> from dualgrad.extend import primitive, defvjp
    >>> bad_sin = primitive(np.sin)
    >>> defvjp(bad_sin, lambda ans, x: lambda g: g * np.sin(x))   # wrong: should be cos
    >>> try:
    ...     check_grads(bad_sin, modes=["rev"], order=1)(0.5)
    ... except AssertionError:
    ...     print("caught")
    caught

    The mpmath reference catches what differences cannot: a rule off by one part
    in a million.

    >>> nearly_sin = primitive(np.sin)
    >>> defvjp(nearly_sin, lambda ans, x: lambda g: g * np.cos(x) * (1 + 1e-6))
    >>> check_grads(nearly_sin, modes=["rev"], order=1)(0.5)   # passes: hidden in noise
    >>> try:
    ...     check_grads(nearly_sin, modes=["rev"], order=1, reference="mpmath")(0.5)
    ... except AssertionError:
    ...     print("caught")
    caught
    """
    modes = tuple(modes)
    bad = set(modes) - {"fwd", "rev"}
    if bad:
        raise ValueError(f"modes must be drawn from ('fwd', 'rev'), not {sorted(bad)}.")
    if reference not in REFERENCES:
        raise ValueError(f"reference must be one of {REFERENCES}, not {reference!r}.")
    mp = reference == "mpmath"
    tol = _Tol(eps, (MP_RTOL if mp else RTOL) if rtol is None else rtol,
               (MP_ATOL if mp else ATOL) if atol is None else atol, dps if mp else None)

    def check(*args, **kwargs):
        nums = tuple(range(len(args))) if argnum is None else argnum
        unary, x = _unary(fun, args, kwargs, nums)
        rng = onp.random.default_rng(seed)
        _check(unary, x, modes, order, tol, rng, _name(fun))
    return check


class _Tol:
    def __init__(self, eps, rtol, atol, dps=None):
        self.eps, self.rtol, self.atol, self.dps = eps, rtol, atol, dps

    @property
    def what(self) -> str:
        return "finite differences" if self.dps is None else f"mpmath at {self.dps} digits"

    def reference_jvp(self, f, x, v):
        if self.dps is None:
            return _numerical_jvp(f, x, v, self)
        return _mpmath_jvp(f, x, v, self.dps)


def _name(f) -> str:
    return getattr(f, "__name__", repr(f))


def _plain(tree):
    from .core.spaces import tree_map
    return tree_map(getval, tree)


def _numerical_jvp(f, x, v, tol):
    xs = vspace(x)
    plus = f(xs.add(x, xs.scalar_mul(v, tol.eps)))
    minus = f(xs.add(x, xs.scalar_mul(v, -tol.eps)))
    ys = vspace(plus)
    return ys.scalar_mul(ys.add(plus, ys.scalar_mul(minus, -1.0)), 1.0 / (2 * tol.eps))


def _mpmath_jvp(f, x, v, dps: int):
    """``d/dt f(x + t v)`` at ``t = 0`` (real ``t``) by ``mpmath.diff``, with ``f``
    evaluated on mpmath numbers (mpf, or mpc for complex values) at ``dps`` digits,
    rounded to float64 (complex128) in the shape of ``f(x)``."""
    import mpmath  # deferred: only this reference mode needs it
    from .core.mp import MP
    from .core.trees import tree_flatten, tree_unflatten
    from .core.spaces import tree_map
    from .transforms.transform import _mp_errors

    def number(e):   # a float64 or complex128 converts exactly
        return mpmath.mpc(complex(e)) if isinstance(e, (complex, onp.complexfloating)) \
            else mpmath.mpf(float(e))

    def to_mp(a):
        a = _plain(a)
        if onp.ndim(a) == 0:
            return MP(number(onp.asarray(a).item()))
        out = onp.empty(onp.shape(a), object)
        for i, e in enumerate(onp.asarray(a).flat):
            out.flat[i] = MP(number(e))
        return out

    y_leaves, y_tree = tree_flatten(_plain(f(x)))
    with mpmath.workdps(dps), _mp_errors("check_grads(reference='mpmath')"):
        xm, vm = tree_map(to_mp, x), tree_map(to_mp, v)
        seen: dict = {}

        def values(t):   # f(x + t v), flattened; each point once for all the outputs
            key = (t, mpmath.mp.prec)
            if key not in seen:
                tm = MP(t)
                y = _traced_value(f, tree_map(lambda a, b: a + tm * b, xm, vm), vm)
                seen[key] = [e.v if type(e) is MP else number(e)
                             for leaf in tree_flatten(y)[0]
                             for e in onp.ravel(onp.asarray(leaf, dtype=object))]
            return seen[key]

        n = len(values(mpmath.mpf(0)))
        d = [mpmath.diff(lambda t, k=k: values(t)[k], 0) for k in range(n)]
    out, k = [], 0
    for leaf in y_leaves:
        cplx = onp.iscomplexobj(leaf)
        m = int(onp.size(leaf))
        part = [complex(e) if cplx else float(mpmath.re(e)) for e in d[k:k + m]]
        k += m
        arr = onp.array(part, dtype=complex if cplx else float).reshape(onp.shape(leaf))
        out.append(arr if isinstance(leaf, onp.ndarray) else arr[()])
    return tree_unflatten(y_tree, out)


def _traced_value(f, x, v):
    """``f(x)`` computed under a trace, as ``grad(f)(mpf)`` computes it: a composite
    function (deg2rad) computes untraced values with NumPy, which has no mpmath
    path. Forward mode's trace, or reverse mode's for a primitive with VJPs only."""
    from .core.errors import MissingRuleError
    try:
        return push_forward(f, (x,), (v,))[0]
    except MissingRuleError:
        return pull_back(f, (x,))[0]


def _close(a, b, tol, what: str, name: str, scale: float = 1.0):
    a, b = onp.asarray(a), onp.asarray(b)
    if not onp.allclose(a, b, rtol=tol.rtol, atol=tol.atol * scale, equal_nan=False):
        err = onp.max(onp.abs(a - b)) if a.size else 0.0
        kind = "VJP" if what.startswith("reverse") else "JVP"  # autograd's wording first
        raise AssertionError(
            f"Derivative ({kind}) check of {name} failed: {what}.\n  derivative: {a}\n"
            f"  reference:  {b}\n  max abs error {err:.3g} (rtol={tol.rtol}, atol={tol.atol})")


def _check(f, x, modes, order, tol, rng, name):
    xs = vspace(x)
    v = xs.randn(rng)
    if "fwd" in modes:
        _, jv = push_forward(f, (x,), (v,))
        num = tol.reference_jvp(f, x, v)
        ys = vspace(num)
        _close(ys.flatten(_plain(jv)), ys.flatten(num), tol,
               f"forward mode (JVP) disagrees with {tol.what}", name)
        if order > 1:
            def jvp_map(xv, f=f):
                return push_forward(f, (xv[0],), (xv[1],))[1]
            _check(jvp_map, (x, v), modes, order - 1, tol, rng, f"jvp_{name}")
    if "rev" in modes:
        y, pull = pull_back(f, (x,))
        ys = vspace(y)
        u = ys.randn(rng)
        vjp_u = xs.covector(pull(ys.covector(u))[0])
        lhs = xs.inner_prod(v, _plain(vjp_u))
        num = ys.inner_prod(u, tol.reference_jvp(f, x, v))
        _close(lhs, num, tol, f"reverse mode (VJP) disagrees with {tol.what}: "
               "<J^T u, v> != <u, J v>", name)
        if "fwd" in modes:
            exact = ys.inner_prod(u, _plain(push_forward(f, (x,), (v,))[1]))
            _close(lhs, exact, _Tol(tol.eps, min(1e-9, tol.rtol), 1e-12), "reverse mode (VJP) is not the "
                   "transpose of forward mode (JVP): <J^T u, v> != <u, J v>", name)
        if order > 1:
            def vjp_map(xu, f=f):
                return pull_back(f, (xu[0],))[1](xu[1])[0]
            _check(vjp_map, (x, u), modes, order - 1, tol, rng, f"vjp_{name}")


def combo_check(fun: Callable, *args: Any, **kwargs: Any):
    """autograd's combo_check: ``combo_check(f, argnums, modes, order)(*arg_lists,
    **kwarg_lists)`` runs check_grads on every combination of the given values.

    Parameters
    ----------
    fun : callable
        The function to check.
    *args
        ``argnums``, ``modes``, ``order`` positionally, as in autograd (defaults
        ``0``, ``("fwd", "rev")``, ``2``), or the same by keyword (``argnum=`` too).

    Returns
    -------
    callable
        ``run(*arg_lists, **kwarg_lists)``: each positional list holds the values
        to try for that argument, each keyword list those of that keyword; every
        combination is checked with :func:`check_grads`.

    Raises
    ------
    AssertionError
        From ``run``, for the first combination whose derivative is wrong.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> combo_check(np.sum, [0])([np.ones((2, 3))], axis=[0, 1, None], keepdims=[True, False])
    """
    import itertools

    argnums = args[0] if args else kwargs.pop("argnum", kwargs.pop("argnums", 0))
    modes = args[1] if len(args) > 1 else kwargs.pop("modes", ("fwd", "rev"))
    order = args[2] if len(args) > 2 else kwargs.pop("order", 2)

    def run(*arg_lists, **kwarg_lists):
        keys = list(kwarg_lists)
        for vals in itertools.product(*arg_lists):
            for kvals in itertools.product(*(kwarg_lists[k] for k in keys)):
                kw = dict(zip(keys, kvals))
                f = lambda *a: fun(*a, **kw)  # noqa: E731
                f.__name__ = _name(fun)
                check_grads(f, argnum=argnums, modes=modes, order=order)(*vals)
    return run


# ------------------------------------------------------------------ autograd's names
# autograd.test_util's helpers, for test suites written against it. They compare
# in autograd's way (one random direction, its tolerances); check_grads above is
# the stricter check.
TOL = RTOL_AUTOGRAD = 1e-6


def scalar_close(a, b) -> bool:
    """|a - b| < 1e-6 absolutely or relatively (autograd's test for two numbers)."""
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL_AUTOGRAD



def make_numerical_jvp(f: Callable, x) -> Callable:
    """``v -> (f(x + v eps/2) - f(x - v eps/2)) / eps``."""
    y = f(x)
    xs, ys = vspace(x), vspace(y)

    def jvp(v):
        plus = f(xs.add(x, xs.scalar_mul(v, EPS / 2)))
        minus = f(xs.add(x, xs.scalar_mul(v, -EPS / 2)))
        return ys.scalar_mul(ys.add(plus, ys.scalar_mul(minus, -1.0)), 1.0 / EPS)
    return jvp


def check_equivalent(x, y) -> None:
    """Assert that x and y lie in the same space and agree along a random direction."""
    xs, ys = vspace(x), vspace(y)
    assert xs == ys, f"VSpace mismatch:\nx: {xs}\ny: {ys}"
    v = xs.randn()
    assert scalar_close(xs.inner_prod(x, v), xs.inner_prod(y, v)), \
        f"Value mismatch:\nx: {x}\ny: {y}"


def check_vjp(f: Callable, x) -> None:
    """autograd's one-direction VJP check of unary ``f`` at ``x``."""
    y, pull = pull_back(f, (x,))
    xs, ys = vspace(x), vspace(y)
    xv, yv = xs.randn(), ys.randn()
    vjp_y = xs.covector(_plain(pull(ys.covector(yv))[0]))
    exact = xs.inner_prod(xv, vjp_y)
    numeric = ys.inner_prod(yv, make_numerical_jvp(f, x)(xv))
    assert scalar_close(numeric, exact), (
        f"Derivative (VJP) check of {_name(f)} failed with arg {x}:\n"
        f"analytic: {exact}\nnumeric:  {numeric}")


def check_jvp(f: Callable, x) -> None:
    """autograd's one-direction JVP check of unary ``f`` at ``x``."""
    v = vspace(x).randn()
    check_equivalent(_plain(push_forward(f, (x,), (v,))[1]), make_numerical_jvp(f, x)(v))


__all__ = ["check_grads", "combo_check", "scalar_close", "check_equivalent", "check_vjp",
           "check_jvp", "make_numerical_jvp", "EPS", "TOL"]
