"""Taylor rules: how each primitive maps the coefficients of its arguments' curves.

Coefficients are normalised: ``x(t) = x_0 + x_1 t + ... + x_K t^K``. A rule gets
``series`` (per argument, the list ``[x_1..x_K]``, or None for a constant), the
answer ``y_0`` and the argument values, and returns ``[y_1..y_K]`` (see
``dualgrad.interpreters.taylor``). The recurrences are the classical ones of
automatic Taylor arithmetic (Griewank & Walther, *Evaluating Derivatives*, ch. 13):

* **linear** primitives (and piecewise-linear ones away from their kinks: max,
  where, clip, abs of a real x): ``y_k = L(x_k)``, their JVP applied to each
  coefficient;
* **bilinear** ones (multiply, matmul, einsum, ...): the Cauchy product
  ``y_k = sum_{j=0..k} B(a_j, b_{k-j})``;
* **elementwise** ones through the ODE they satisfy. If ``y' = d(x) x'`` with a
  series ``d`` known to order k-1, then

      y_k = (1/k) sum_{j=1..k} j x_j d_{k-j}                         (``_integrate``)

  e.g. exp (d = y), sin/cos (d = cos/-sin, computed together), tanh (d = 1 - y^2);
  and if ``u y' = x'`` with ``u`` known: ``u_0 k y_k = k x_k - sum_{i=1..k-1} u_i (k-i) y_{k-i}``
  (``_divide_integrate``: log, arctan, arcsin, ...).

Every recurrence costs O(K^2) array operations. All arithmetic is done with
dualgrad's primitives (``+``, ``*`` on tracers), so the coefficients stay
differentiable by an enclosing transform.
"""
from __future__ import annotations

import math

import numpy as onp

from ..core import ALL, getval, peek, shape_of
from ..interpreters.taylor import COLLAPSED_UNARY, IDENTITY_RULES, _by_nested_forward, def_taylor
from . import complex as cx, decompositions as dec, elementwise as ew, elementwise_more as em
from . import fft, linalg as la, reductions as red, shape as shp
from ..core.mp import MP
from ._helpers import astype, broadcast_to, exact_constant, holds_mp, sum_to_shape
from .construction import index_update, roll_along


# ------------------------------------------------------------------ helpers
def _full(s, x0, order):
    """``[x_0, x_1, ..., x_K]`` (zeros for a constant)."""
    return [x0] + (list(s) if s is not None else [0.0] * order)


def _order(series) -> int:
    return next(len(s) for s in series if s is not None)


def _cauchy(a, b, k, mul=lambda u, v: u * v):
    """The k-th coefficient of the product of the series ``a`` and ``b`` (full lists)."""
    total = None
    for j in range(k + 1):
        if _is_zero(a[j]) or _is_zero(b[k - j]):
            continue
        term = mul(a[j], b[k - j])
        total = term if total is None else total + term
    return 0.0 if total is None else total


def _ratio(j: int, k: int, like):
    """``j / k``: a float, or exact in the working precision for mpmath numbers."""
    return exact_constant(j / k, lambda m: m.mpf(j) / k, like)


def _is_zero(c) -> bool:
    return isinstance(c, float) and c == 0.0


def _integrate(x, d, y0, order):
    """``y`` with ``y' = d x'`` and ``y(0) = y0``, where ``d`` is produced lazily:
    ``d(m, y)`` gives d's m-th coefficient from ``y_0..y_m`` (full lists)."""
    y = [y0]
    ds = []
    for k in range(1, order + 1):
        ds.append(d(k - 1, y))
        total = None
        for j in range(1, k + 1):
            if _is_zero(x[j]):
                continue
            term = _ratio(j, k, y0) * x[j] * ds[k - j]
            total = term if total is None else total + term
        y.append(0.0 if total is None else total)
    return y


def _divide_integrate(x, u, y0, order):
    """``y`` with ``u y' = x'`` and ``y(0) = y0``, ``u`` a full list of coefficients."""
    y = [y0]
    for k in range(1, order + 1):
        total = x[k]
        for i in range(1, k):
            if not _is_zero(u[i]):
                total = total - _ratio(k - i, k, y0) * u[i] * y[k - i]
        y.append(total / u[0])
    return y


# ------------------------------------------------------------------ linear
def _linear(prim):
    """y_k = sum_i JVP_i(x_ik): exact for a linear primitive at every order, and for a
    piecewise-linear one (a selection) wherever its selection is locally constant."""
    def rule(series, ans, *vals, **kwargs):
        order = _order(series)
        joint = prim.jvps.get(ALL)
        out = []
        for k in range(order):
            # an exact-zero coefficient (0.0, from a rule) contributes nothing
            if joint is not None:
                ts = [None if s is None or _is_zero(s[k]) else s[k] for s in series]
                out.append(0.0 if all(t is None for t in ts) else
                           joint(ts, ans, *vals, **kwargs))
                continue
            total = None
            for i, s in enumerate(series):
                if s is None or _is_zero(s[k]):
                    continue
                term = prim.jvp_rule(i)(s[k], ans, *vals, **kwargs)
                total = term if total is None else total + term
            out.append(0.0 if total is None else total)
        return out
    return rule


_LINEAR = [ew.add, ew.subtract, ew.negative, shp.reshape, shp.transpose, shp.getitem,
           shp.untake, shp.concatenate_args, red.sum, red.mean, red.cumsum, broadcast_to,
           sum_to_shape, cx.real, cx.imag, cx.conj, astype, index_update, roll_along,
           fft.fft_p, fft.rfft_p, fft.irfft_p]
# selections: linear in the selected argument(s) away from ties and kinks; and piecewise
# constant ones, whose JVP is zero
_PIECEWISE = [ew.where, red.max, red.min, ew.maximum, ew.minimum, ew.clip, ew.fmax, ew.fmin,
              ew.fabs, em.copysign, em.fmod, em.remainder, em.heaviside, cx.sign]
for _p in _LINEAR + _PIECEWISE:
    def_taylor(_p, _linear(_p))


@def_taylor(cx.absolute)
def _absolute(series, ans, x):
    if onp.iscomplexobj(peek(x)):  # |z| is not piecewise linear: nested forward mode
        return _by_nested_forward(cx.absolute, [x], series, {}, _order(series))
    return _linear(cx.absolute)(series, ans, x)


# ------------------------------------------------------------------ bilinear
def _bilinear(prim):
    """y_k = sum_j B(a_j, b_{k-j}) for a primitive B linear in each of two arguments."""
    def rule(series, ans, a, b, **kwargs):
        order = _order(series)
        af, bf = _full(series[0], a, order), _full(series[1], b, order)

        def mul(u, v):
            return prim(u, v, **kwargs)
        return [_cauchy(af, bf, k, mul) for k in range(1, order + 1)]
    return rule


for _p in (ew.multiply, la.matmul, la.tensordot):
    def_taylor(_p, _bilinear(_p))


def _matmul_of_identity(argnum, vals, kwargs, eye):
    """matmul with a vector ``x`` whose directions are e_1..e_n (the Laplacian's input):
    ``A @ e_i`` is column i of A, ``e_i @ B`` row i of B, so the n directions' images
    stacked are A^T and B, with no product by the identity."""
    a, b = vals
    const = vals[1 - argnum]
    if kwargs or eye.shape != shape_of(vals[argnum]) or len(eye.shape) != 1 or \
            onp.result_type(peek(const)) != eye.dtype or len(shape_of(const)) > 2:
        return NotImplemented
    if argnum == 1 and len(shape_of(a)) == 2:    # A (m, n) @ x (n,): the rows of A^T
        return shp.transpose(a, (1, 0))
    return const                                 # x @ B (n, m), a @ x, x @ b: B, a, b


IDENTITY_RULES[la.matmul] = _matmul_of_identity

# (f', f'') of unary elementwise functions, for the collapsed (Laplacian) level; written
# with dualgrad's primitives, from the answer where that is cheaper
COLLAPSED_UNARY.update({
    ew.tanh: lambda x, y: (lambda d: (d, -2.0 * y * d))(1.0 - y * y),
    ew.sin: lambda x, y: (ew.cos(x), -y),
    ew.cos: lambda x, y: (-ew.sin(x), -y),
    ew.exp: lambda x, y: (y, y),
    ew.sinh: lambda x, y: (ew.cosh(x), y),
    ew.cosh: lambda x, y: (ew.sinh(x), y),
    ew.log: lambda x, y: (lambda r: (r, -r * r))(1.0 / x),
    ew.square: lambda x, y: (2.0 * x, 2.0),
})


@def_taylor(la.einsum_prim)
def _einsum(series, ans, *operands, **kwargs):
    """einsum is linear in each operand: the Cauchy product over all of them."""
    order = _order(series)
    fulls = [_full(s, v, order) for s, v in zip(series, operands)]
    traced = [i for i, s in enumerate(series) if s is not None]
    out = []
    for k in range(1, order + 1):
        total = None
        for split in _compositions(k, len(traced)):
            parts = list(operands)
            for i, j in zip(traced, split):
                parts[i] = fulls[i][j]
            if any(_is_zero(p) for p in parts):
                continue
            term = la.einsum_prim(*parts, **kwargs)
            total = term if total is None else total + term
        out.append(0.0 if total is None else total)
    return out


def _compositions(k: int, n: int):
    """All n-tuples of non-negative integers summing to k."""
    if n == 1:
        yield (k,)
        return
    for j in range(k + 1):
        for rest in _compositions(k - j, n - 1):
            yield (j,) + rest


def _mul_full(a, b):
    return [_cauchy(a, b, k) for k in range(len(a))]


# ------------------------------------------------------------------ quotients and powers
@def_taylor(ew.divide)
def _divide(series, ans, a, b):
    # c = a / b:  c_k = (a_k - sum_{j=1..k} b_j c_{k-j}) / b_0
    order = _order(series)
    af, bf = _full(series[0], a, order), _full(series[1], b, order)
    c = [ans]
    for k in range(1, order + 1):
        total = af[k]
        for j in range(1, k + 1):
            if not _is_zero(bf[j]):
                total = total - bf[j] * c[k - j]
        c.append(total / b if not _is_zero(total) else 0.0)
    return c[1:]


@def_taylor(ew.reciprocal)
def _reciprocal(series, ans, x):
    return _divide([None, series[0]], ans, 1.0, x)


@def_taylor(ew.square)
def _square(series, ans, x):
    xf = _full(series[0], x, _order(series))
    return _mul_full(xf, xf)[1:]


def _sqrt_series(xf, y0, order):
    # y^2 = x:  y_k = (x_k - sum_{j=1..k-1} y_j y_{k-j}) / (2 y_0)
    y = [y0]
    for k in range(1, order + 1):
        total = xf[k]
        for j in range(1, k):
            total = total - y[j] * y[k - j]
        y.append(total / (2 * y0))
    return y


@def_taylor(ew.sqrt)
def _sqrt(series, ans, x):
    order = _order(series)
    return _sqrt_series(_full(series[0], x, order), ans, order)[1:]


@def_taylor(ew.cbrt)
def _cbrt(series, ans, x):
    # x y' = y x' / 3 holds on both sides of 0 (ans is the real cube root)
    return _power([series[0], None], ans, x, _ratio(1, 3, ans)) if onp.all(getval(x) != 0) else \
        _by_nested_forward(ew.cbrt, [x], series, {}, _order(series))


@def_taylor(ew.power)
def _power(series, ans, x, p):
    order = _order(series)
    whole = _small_whole(getval(p)) if series[1] is None else None
    if whole is not None:
        # a small integer power: repeated Cauchy products, exact also where x_0 = 0
        xf = _full(series[0], x, order)
        y = [1.0] + [0.0] * order
        for _ in range(whole):
            y = _mul_full(y, xf)
        return y[1:]
    if series[1] is None and onp.all(getval(x) != 0):
        # x y' = p y x':  x_0 k y_k = sum_{j=1..k} (p j - (k - j)) x_j y_{k-j}
        xf = _full(series[0], x, order)
        y = [ans]
        for k in range(1, order + 1):
            total = None
            for j in range(1, k + 1):
                if _is_zero(xf[j]):
                    continue
                term = ((p * j - (k - j)) * _ratio(1, k, ans)) * xf[j] * y[k - j]
                total = term if total is None else total + term
            y.append(0.0 if total is None else total / x)
        return y[1:]
    # a traced exponent (or x_0 = 0 with a real power): exp(p log x)
    if holds_mp(ans) and not holds_mp(x):  # a float base, an mpmath exponent: log x unrounded
        x = x * exact_constant(1.0, lambda m: m.mpf(1), ans)
    logs = _log_full(_full(series[0], x, order), ew.log(x), order)
    pf = _full(series[1], p, order)
    return _exp_full(_mul_full(logs, pf), ans, order)[1:]


def _small_whole(p) -> int | None:
    """A constant scalar power 0, 1, ..., 16 (an int, or a float or mpf with no
    fraction) as an int, else None."""
    if type(p) is MP:   # an mpmath number: compared exactly, never rounded
        v = p.v
        ok = hasattr(v, "_mpf_") and v == int(v) and 0 <= v <= 16
        return int(v) if ok else None
    if onp.ndim(p) != 0 or onp.iscomplexobj(p) or getattr(p, "dtype", None) == object:
        return None
    v = float(p)
    return int(v) if v.is_integer() and 0 <= v <= 16 else None


# ------------------------------------------------------------------ exponentials and logs
def _exp_full(xf, y0, order):
    return _integrate(xf, lambda m, y: y[m], y0, order)  # y' = y x'


def _log_full(xf, y0, order):
    return _divide_integrate(xf, xf, y0, order)  # x y' = x'


@def_taylor(ew.exp)
def _exp(series, ans, x):
    order = _order(series)
    return _exp_full(_full(series[0], x, order), ans, order)[1:]


@def_taylor(ew.expm1)
def _expm1(series, ans, x):
    order = _order(series)  # y' = (y + 1) x'
    return _integrate(_full(series[0], x, order), lambda m, y: y[m] + 1.0 if m == 0 else y[m],
                      ans, order)[1:]


@def_taylor(ew.log)
def _log(series, ans, x):
    order = _order(series)
    return _log_full(_full(series[0], x, order), ans, order)[1:]


@def_taylor(ew.log1p)
def _log1p(series, ans, x):
    order = _order(series)  # (1 + x) y' = x'
    xf = _full(series[0], x, order)
    return _divide_integrate(xf, [1.0 + x] + xf[1:], ans, order)[1:]


for _prim, _base in ((ew.log2, 2), (ew.log10, 10)):
    def _scaled_log(series, ans, x, _b=_base):
        s = exact_constant(1 / math.log(_b), lambda m: 1 / m.log(_b), x)  # mpmath: unrounded
        return [c * s for c in _log(series, ew.log(x), x)]
    def_taylor(_prim, _scaled_log)


@def_taylor(ew.exp2)
def _exp2(series, ans, x):
    order = _order(series)  # y' = ln 2 y x'
    ln2 = exact_constant(math.log(2), lambda m: m.log(2), x)
    xf = [c * ln2 for c in _full(series[0], x, order)]
    return _exp_full(xf, ans, order)[1:]


# ------------------------------------------------------------------ trigonometric
def _sin_cos(xf, order, s0, c0, sign=-1.0):
    """sin and cos together: s' = c x', c' = -s x' (sinh and cosh: sign = +1)."""
    s, c = [s0], [c0]
    for k in range(1, order + 1):
        sk = ck = None
        for j in range(1, k + 1):
            if _is_zero(xf[j]):
                continue
            w = _ratio(j, k, s0) * xf[j]
            ts, tc = w * c[k - j], w * s[k - j]
            sk = ts if sk is None else sk + ts
            ck = tc if ck is None else ck + tc
        s.append(0.0 if sk is None else sk)
        c.append(0.0 if ck is None else sign * ck)
    return s, c


@def_taylor(ew.sin)
def _sin(series, ans, x):
    order = _order(series)
    return _sin_cos(_full(series[0], x, order), order, ans, ew.cos(x))[0][1:]


@def_taylor(ew.cos)
def _cos(series, ans, x):
    order = _order(series)
    return _sin_cos(_full(series[0], x, order), order, ew.sin(x), ans)[1][1:]


@def_taylor(ew.sinh)
def _sinh(series, ans, x):
    order = _order(series)
    return _sin_cos(_full(series[0], x, order), order, ans, ew.cosh(x), sign=1.0)[0][1:]


@def_taylor(ew.cosh)
def _cosh(series, ans, x):
    order = _order(series)
    return _sin_cos(_full(series[0], x, order), order, ew.sinh(x), ans, sign=1.0)[1][1:]


@def_taylor(ew.tanh)
def _tanh(series, ans, x):
    order = _order(series)  # y' = (1 - y^2) x'

    def d(m, y):
        return (1.0 if m == 0 else 0.0) - _cauchy(y, y, m)
    return _integrate(_full(series[0], x, order), d, ans, order)[1:]


@def_taylor(ew.tan)
def _tan(series, ans, x):
    order = _order(series)  # y' = (1 + y^2) x'

    def d(m, y):
        return (1.0 if m == 0 else 0.0) + _cauchy(y, y, m)
    return _integrate(_full(series[0], x, order), d, ans, order)[1:]


@def_taylor(ew.arctan)
def _arctan(series, ans, x):
    order = _order(series)  # (1 + x^2) y' = x'
    xf = _full(series[0], x, order)
    u = _mul_full(xf, xf)
    u[0] = u[0] + 1.0
    return _divide_integrate(xf, u, ans, order)[1:]


def _arcsin_like(series, ans, x, sign: float, arg0):
    order = _order(series)  # sqrt(1 - x^2) y' = sign x'
    xf = _full(series[0], x, order)
    sq = _mul_full(xf, xf)
    one_minus = [1.0 - sq[0]] + [-c for c in sq[1:]]
    u = _sqrt_series(one_minus, arg0, order)
    return _divide_integrate([c * sign for c in xf], u, ans, order)[1:]


@def_taylor(ew.arcsin)
def _arcsin(series, ans, x):
    return _arcsin_like(series, ans, x, 1.0, ew.sqrt(1.0 - x * x))


@def_taylor(ew.arccos)
def _arccos(series, ans, x):
    return _arcsin_like(series, ans, x, -1.0, ew.sqrt(1.0 - x * x))


@def_taylor(ew.arcsinh)
def _arcsinh(series, ans, x):
    order = _order(series)  # sqrt(1 + x^2) y' = x'
    xf = _full(series[0], x, order)
    sq = _mul_full(xf, xf)
    u = _sqrt_series([1.0 + sq[0]] + sq[1:], ew.sqrt(1.0 + x * x), order)
    return _divide_integrate(xf, u, ans, order)[1:]


@def_taylor(ew.arccosh)
def _arccosh(series, ans, x):
    order = _order(series)  # sqrt(x^2 - 1) y' = x'
    xf = _full(series[0], x, order)
    sq = _mul_full(xf, xf)
    u = _sqrt_series([sq[0] - 1.0] + sq[1:], ew.sqrt(x * x - 1.0), order)
    return _divide_integrate(xf, u, ans, order)[1:]


# ------------------------------------------------------------------ linear algebra
@def_taylor(dec.solve)
def _solve(series, ans, a, b):
    # A X = B:  A_0 X_k = B_k - sum_{j=1..k} A_j X_{k-j}
    order = _order(series)
    af, bf = _full(series[0], a, order), _full(series[1], b, order)
    xs = [ans]
    for k in range(1, order + 1):
        rhs = bf[k]
        for j in range(1, k + 1):
            if not _is_zero(af[j]):
                rhs = rhs - la.matmul(af[j], xs[k - j])
        xs.append(0.0 if _is_zero(rhs) else dec.solve(a, rhs))
    return xs[1:]


@def_taylor(dec.inv)
def _inv(series, ans, a):
    # A Y = I:  Y_k = -Y_0 sum_{j=1..k} A_j Y_{k-j}
    order = _order(series)
    af = _full(series[0], a, order)
    ys = [ans]
    for k in range(1, order + 1):
        total = None
        for j in range(1, k + 1):
            if not _is_zero(af[j]):
                term = la.matmul(af[j], ys[k - j])
                total = term if total is None else total + term
        ys.append(0.0 if total is None else -la.matmul(ans, total))
    return ys[1:]


@def_taylor(ew.arctanh)
def _arctanh(series, ans, x):
    order = _order(series)  # (1 - x^2) y' = x'
    xf = _full(series[0], x, order)
    sq = _mul_full(xf, xf)
    return _divide_integrate(xf, [1.0 - sq[0]] + [-c for c in sq[1:]], ans, order)[1:]


__all__ = []
