"""scipy.special: gamma and beta families, error functions, Bessel functions,
logistic functions, information measures, logsumexp and softmax.

Integer orders (``n`` in ``jn``, ``polygamma``; ``d`` in ``multigammaln``) are
static. Functions differentiable in some arguments only (``gammainc`` in x,
``betainc`` in x, ``kv`` in z) have rules for those; tracing another argument
raises DifferentiationError naming the function.
"""
from __future__ import annotations

import inspect

import numpy as onp

from ..core import Primitive, Tracer, getval, peek
from ..core.residuals import used_parameters
from . import _special_lazy as ssp  # scipy.special, lazy-safe for dask arrays
from ..core.mp import MP, mp_is_complex
from ._helpers import (broadcast_to, composite, elementwise, exact_constant, holds_mp, shape_of,
                       unbroadcast, zero_derivative)
from .complex import real
from .elementwise import cbrt, cos, exp, exp2, expm1, log, log1p, sign, sin, where
from .reductions import _axes, sum as rsum
from .shape import reshape

_SQRT_PI = onp.sqrt(onp.pi)
_LOG_SQRT_2PI = 0.5 * onp.log(2 * onp.pi)


def _in_args(fun, name, derivs: dict) -> Primitive:
    """An elementwise primitive of several (broadcast) arguments, given
    ``derivs[argnum](ans, *args) = d fun / d args[argnum]`` for the
    differentiable ones.   JVP: t * d.   VJP: unbroadcast(g * d, arg).
    The tape keeps for each VJP what its formula uses (``used_parameters``)."""
    prim = Primitive(fun, name)
    for argnum, d in derivs.items():
        used = used_parameters(d)
        reads = tuple("ans" if k == 0 else k - 1 for k, p in
                      enumerate(inspect.signature(d).parameters) if p in used)
        def jvp(t, ans, *args, _d=d):
            return t * _d(ans, *args)

        def vjp(g, ans, *args, _d=d, _i=argnum):
            return unbroadcast(g * _d(ans, *args), args[_i])

        jvp.__name__, vjp.__name__ = f"_{name}_jvp{argnum}", f"_{name}_vjp{argnum}"
        prim.def_jvp(jvp, argnum=argnum)
        prim.def_vjp(vjp, argnum=argnum, reads=reads)
    prim.elementwise = True  # numpy broadcasting: the batching interpreter maps it in one call
    return prim


# ------------------------------------------------------------------ gamma family
# psi = Γ'/Γ;  polygamma(n, x) = psi^(n)(x);  d/dx polygamma(n, x) = polygamma(n + 1, x)
def _mp_path(fun, mpname: str, *, order_first: bool = False):
    """``fun`` (a scipy.special ufunc, which has no object loop), or mpmath's ``mpname``
    applied entry by entry when an argument holds mpmath numbers."""
    def f(*args, **kwargs):
        if not any(holds_mp(a) for a in args):
            return fun(*args, **kwargs)
        import mpmath  # deferred: only mpmath numbers need it
        if mpname in _REAL_ONLY and any(mp_is_complex(getval(a)) for a in args):
            raise TypeError(f"{mpname} is log|Γ(x)| of a real x (scipy.special refuses "
                            "complex input too); for complex mpmath numbers use the "
                            "holomorphic log-gamma, np.log(gamma(z)), or real arguments.")
        mpf = _MP_FUNCTIONS[mpname](mpmath)
        ufunc = onp.frompyfunc(lambda *vs: MP(mpf(*[getattr(v, "v", v) for v in vs])),
                               len(args), 1)
        return ufunc(*args)
    f.__name__ = getattr(fun, "__name__", mpname)
    return f


_REAL_ONLY = {"gammaln"}   # real-valued for complex input: its rule (psi) would not fit

_MP_FUNCTIONS = {  # scipy.special name -> mpmath's function, at the working precision
    "gamma": lambda m: m.gamma,
    "gammaln": lambda m: lambda x: m.log(abs(m.gamma(x))),
    "digamma": lambda m: m.digamma,
    "polygamma": lambda m: lambda n, x: m.polygamma(int(n), x),
    "erf": lambda m: m.erf, "erfc": lambda m: m.erfc,
    "expit": lambda m: lambda x: 1 / (1 + m.exp(-x)),
    "j0": lambda m: lambda x: m.besselj(0, x), "j1": lambda m: lambda x: m.besselj(1, x),
    "jn": lambda m: lambda n, x: m.besselj(int(n), x), "jv": lambda m: m.besselj,
    "y0": lambda m: lambda x: m.bessely(0, x), "y1": lambda m: lambda x: m.bessely(1, x),
    "yn": lambda m: lambda n, x: m.bessely(int(n), x), "yv": lambda m: m.bessely,
    "i0": lambda m: lambda x: m.besseli(0, x), "i1": lambda m: lambda x: m.besseli(1, x),
    "iv": lambda m: m.besseli,
    "k0": lambda m: lambda x: m.besselk(0, x), "k1": lambda m: lambda x: m.besselk(1, x),
    "kv": lambda m: m.besselk,
    "zeta": lambda m: lambda x, q=1: m.zeta(x, q),
}


polygamma = _in_args(_mp_path(ssp.polygamma, "polygamma"), "polygamma", {1: lambda ans, n, x: polygamma(n + 1, x)})
# Hurwitz zeta(x, q) = sum_k (k + q)^(-x):  d/dq zeta(x, q) = -x zeta(x + 1, q). In x it
# has no closed form (a sum of log(k + q) (k + q)^(-x)): tracing x raises.
zeta = _in_args(_mp_path(ssp.zeta, "zeta"), "zeta", {1: lambda ans, x, q: -x * zeta(x + 1, q)})
digamma = elementwise(_mp_path(ssp.digamma, "digamma"), lambda x: polygamma(1, x), "digamma")
psi = digamma
gamma = elementwise(_mp_path(ssp.gamma, "gamma"), lambda x, out: out * digamma(x), "gamma")
gammaln = elementwise(_mp_path(ssp.gammaln, "gammaln"), lambda x: digamma(x), "gammaln")   # log|Γ(x)|


# rgamma = 1/Γ:  rgamma' = -rgamma(x) ψ(x), which is 0·∞ = nan at the zeros x = 0, -1, -2, ...
# (where the slope is (-1)^n n!). For real x <= 0 use the reflection
# 1/Γ(x) = sin(πx) Γ(1-x) / π instead:  rgamma'(x) = Γ(1-x) (cos(πx) - sin(πx) ψ(1-x) / π),
# finite there and smooth, so its own derivatives (higher orders) are right too.
def _rgamma_deriv(x, out):
    if onp.iscomplexobj(peek(x)):
        return -out * digamma(x)
    left = x <= 0
    xl = where(left, x, 0.0)            # each branch sees only arguments where it is finite
    xr = where(left, 1.0, x)
    reflected = gamma(1 - xl) * (cos(onp.pi * xl) - sin(onp.pi * xl) * digamma(1 - xl) / onp.pi)
    return where(left, reflected, -out * digamma(xr))


rgamma = elementwise(ssp.rgamma, _rgamma_deriv, "rgamma")  # 1/Γ(x)
gammasgn = zero_derivative(ssp.gammasgn, "gammasgn")


# multigammaln(a, d) = d(d-1)/4 log π + Σ_{j<d} gammaln(a - j/2);  derivative Σ digamma(a - j/2)
def _multigammaln_da(ans, a, d):
    j = onp.arange(d) / 2.0
    shaped = reshape(a, shape=shape_of(a) + (1,)) - j
    return rsum(digamma(shaped), axis=-1)


multigammaln = _in_args(ssp.multigammaln, "multigammaln", {0: _multigammaln_da})


# Regularised incomplete gamma P(a, x) = γ(a, x)/Γ(a), Q = 1 - P.
#   d/dx P = x^(a-1) e^(-x) / Γ(a)   (no closed form in a: no rule)
def _gamma_density(a, x):
    return exp((a - 1) * log(x) - x - gammaln(a))


gammainc = _in_args(ssp.gammainc, "gammainc", {1: lambda ans, a, x: _gamma_density(a, x)})
gammaincc = _in_args(ssp.gammaincc, "gammaincc", {1: lambda ans, a, x: -_gamma_density(a, x)})


# ------------------------------------------------------------------ beta family
# B(a, b) = Γ(a)Γ(b)/Γ(a+b):  dB/da = B (psi(a) - psi(a+b))
def _beta_dlog(which):
    return lambda a, b: digamma(a if which == 0 else b) - digamma(a + b)


beta = _in_args(ssp.beta, "beta", {0: lambda ans, a, b: ans * _beta_dlog(0)(a, b),
                                   1: lambda ans, a, b: ans * _beta_dlog(1)(a, b)})
betaln = _in_args(ssp.betaln, "betaln", {0: lambda ans, a, b: _beta_dlog(0)(a, b),
                                         1: lambda ans, a, b: _beta_dlog(1)(a, b)})


# I_x(a, b) regularised incomplete beta:  d/dx = x^(a-1) (1-x)^(b-1) / B(a, b)   (x only)
def _beta_density(a, b, x):
    return exp((a - 1) * log(x) + (b - 1) * log1p(-x) - betaln(a, b))


betainc = _in_args(ssp.betainc, "betainc", {2: lambda ans, a, b, x: _beta_density(a, b, x)})

# ------------------------------------------------------------------ error functions
def _sqrt_pi(like):
    return exact_constant(_SQRT_PI, lambda m: m.sqrt(m.pi), like)


erf = elementwise(_mp_path(ssp.erf, "erf"), lambda x: (2 / _sqrt_pi(x)) * exp(-x ** 2), "erf")
erfc = elementwise(_mp_path(ssp.erfc, "erfc"), lambda x: (-2 / _sqrt_pi(x)) * exp(-x ** 2),
                   "erfc")


# erfcx(x) = e^(x²) erfc(x):  erfcx' = 2x erfcx(x) - 2/√π.
# For large real x the two terms cancel (erfcx(x) ~ 1/(x√π): about 2 log10(x) digits are
# lost, all of them in the second derivative). For x > 12 use the asymptotic series
#   erfcx'(x) = -1/(√π x²) Σ_k (2k+1)!! (-1/(2x²))^k,
# a function of x alone (so higher derivatives trace through it); 16 terms reach
# below 1e-17 relative error at x = 12.
_ERFCX_SERIES_FROM = 12.0
_ERFCX_SERIES = [float(onp.prod(onp.arange(1, 2 * k + 2, 2, dtype=float))) for k in range(16)]


def _erfcx_deriv(x, out):
    direct = 2 * x * out - 2 / _SQRT_PI
    if onp.iscomplexobj(peek(x)):
        return direct
    big = x > _ERFCX_SERIES_FROM
    xb = where(big, x, _ERFCX_SERIES_FROM)
    v = -0.5 / xb ** 2
    s = _ERFCX_SERIES[-1]
    for c in _ERFCX_SERIES[-2::-1]:
        s = s * v + c
    return where(big, -s / (float(_SQRT_PI) * xb ** 2), direct)


erfcx = elementwise(ssp.erfcx, _erfcx_deriv, "erfcx")
# inverse functions: 1 / f'(f⁻¹(x))
erfinv = elementwise(ssp.erfinv, lambda out: (_SQRT_PI / 2) * exp(out ** 2), "erfinv")
erfcinv = elementwise(ssp.erfcinv, lambda out: (-_SQRT_PI / 2) * exp(out ** 2), "erfcinv")
# Φ(x) = ndtr(x), Φ' = φ;  log Φ' = φ/Φ = exp(log φ - log Φ);  (Φ⁻¹)' = 1/φ(Φ⁻¹)
ndtr = elementwise(ssp.ndtr, lambda x: exp(-0.5 * x ** 2 - _LOG_SQRT_2PI), "ndtr")


# log_ndtr' = φ/Φ = exp(-x²/2 - log√(2π) - log Φ(x)): for very negative real x the two large
# terms cancel (at x = -1e5 the second derivative came out -6367 instead of -1). For x < 0
# use Φ(x) = erfcx(-x/√2) e^(-x²/2) / 2 instead:  φ/Φ = √(2/π) / erfcx(-x/√2).
def _log_ndtr_deriv(x, out):
    if onp.iscomplexobj(peek(x)):
        return exp(-0.5 * x ** 2 - _LOG_SQRT_2PI - out)
    neg = x < 0
    tail = float(onp.sqrt(2 / onp.pi)) / erfcx(where(neg, x, 0.0) * -float(onp.sqrt(0.5)))
    body = exp(-0.5 * where(neg, 0.0, x) ** 2 - _LOG_SQRT_2PI - where(neg, 0.0, out))
    return where(neg, tail, body)


log_ndtr = elementwise(ssp.log_ndtr, _log_ndtr_deriv, "log_ndtr")
ndtri = elementwise(ssp.ndtri, lambda out: exp(0.5 * out ** 2 + _LOG_SQRT_2PI), "ndtri")

# Student t CDF stdtr(df, t):  d/dt = the t density at t  (no closed form in df: no rule)
def _t_density(df, t):
    return exp(gammaln((df + 1) / 2) - gammaln(df / 2) - 0.5 * log(df * onp.pi)
               - (df + 1) / 2 * log1p(t ** 2 / df))


stdtr = _in_args(ssp.stdtr, "stdtr", {1: lambda ans, df, t: _t_density(df, t)})

# ------------------------------------------------------------------ logistic
expit = elementwise(_mp_path(ssp.expit, "expit"), lambda out: out * (1 - out), "expit")
logit = elementwise(ssp.logit, lambda x: 1 / (x * (1 - x)), "logit")        # 0 < x < 1
log_expit = elementwise(ssp.log_expit, lambda x: expit(-x), "log_expit")


# ------------------------------------------------------------------ information measures
# xlogy(x, y) = x log y (0 where x = 0):  d/dx = log y,  d/dy = x / y (0 where x = 0)
def _x_over(x, y):
    return where(x == 0, 0.0, x / where(x == 0, 1.0, y))


xlogy = _in_args(ssp.xlogy, "xlogy", {0: lambda ans, x, y: log(y),
                                      1: lambda ans, x, y: _x_over(x, y)})
xlog1py = _in_args(ssp.xlog1py, "xlog1py", {0: lambda ans, x, y: log1p(y),
                                            1: lambda ans, x, y: _x_over(x, 1 + y)})
# entr(x) = -x log x (x > 0):  entr' = -(log x + 1)
entr = elementwise(ssp.entr, lambda x: -(log(x) + 1), "entr")
# rel_entr(x, y) = x log(x/y):  d/dx = log(x/y) + 1,  d/dy = -x/y
rel_entr = _in_args(ssp.rel_entr, "rel_entr", {0: lambda ans, x, y: log(x / y) + 1,
                                               1: lambda ans, x, y: -x / y})
# kl_div(x, y) = x log(x/y) - x + y:  d/dx = log(x/y),  d/dy = 1 - x/y
kl_div = _in_args(ssp.kl_div, "kl_div", {0: lambda ans, x, y: log(x / y),
                                         1: lambda ans, x, y: 1 - x / y})

# ------------------------------------------------------------------ Bessel functions
# J, Y:  C_n' = (C_{n-1} - C_{n+1}) / 2,  C_0' = -C_1
j0 = elementwise(_mp_path(ssp.j0, "j0"), lambda x: -j1(x), "j0")
j1 = elementwise(_mp_path(ssp.j1, "j1"), lambda x: (j0(x) - jn(2, x)) / 2, "j1")
y0 = elementwise(_mp_path(ssp.y0, "y0"), lambda x: -y1(x), "y0")
y1 = elementwise(_mp_path(ssp.y1, "y1"), lambda x: (y0(x) - yn(2, x)) / 2, "y1")
jn = _in_args(_mp_path(ssp.jn, "jn"), "jn", {1: lambda ans, n, x: (jn(n - 1, x) - jn(n + 1, x)) / 2})
yn = _in_args(_mp_path(ssp.yn, "yn"), "yn", {1: lambda ans, n, x: (yn(n - 1, x) - yn(n + 1, x)) / 2})
jv = _in_args(_mp_path(ssp.jv, "jv"), "jv", {1: lambda ans, v, x: (jv(v - 1, x) - jv(v + 1, x)) / 2})
yv = _in_args(_mp_path(ssp.yv, "yv"), "yv", {1: lambda ans, v, x: (yv(v - 1, x) - yv(v + 1, x)) / 2})
# I:  I_v' = (I_{v-1} + I_{v+1}) / 2,  I_0' = I_1.  Scaled Ie_v = e^(-|x|) I_v:
#   Ie_v' = (Ie_{v-1} + Ie_{v+1}) / 2 - sign(x) Ie_v
i0 = elementwise(_mp_path(ssp.i0, "i0"), lambda x: i1(x), "i0")
i1 = elementwise(_mp_path(ssp.i1, "i1"), lambda x: (i0(x) + iv(2, x)) / 2, "i1")
iv = _in_args(_mp_path(ssp.iv, "iv"), "iv", {1: lambda ans, v, x: (iv(v - 1, x) + iv(v + 1, x)) / 2})
i0e = elementwise(ssp.i0e, lambda x, out: i1e(x) - sign(x) * out, "i0e")
i1e = elementwise(ssp.i1e, lambda x, out: (i0e(x) + ive(2, x)) / 2 - sign(x) * out, "i1e")
ive = _in_args(ssp.ive, "ive", {1: lambda ans, v, x: (ive(v - 1, x) + ive(v + 1, x)) / 2
                                - sign(x) * ans})
# K:  K_v' = -(K_{v-1} + K_{v+1}) / 2,  K_0' = -K_1.  Scaled Ke_v = e^x K_v:  Ke_v' = Ke_v' + Ke_v
k0 = elementwise(_mp_path(ssp.k0, "k0"), lambda x: -k1(x), "k0")
k1 = elementwise(_mp_path(ssp.k1, "k1"), lambda x: -(k0(x) + kv(2, x)) / 2, "k1")
kv = _in_args(_mp_path(ssp.kv, "kv"), "kv", {1: lambda ans, v, z: -(kv(v - 1, z) + kv(v + 1, z)) / 2})
k0e = elementwise(ssp.k0e, lambda x, out: out - k1e(x), "k0e")
k1e = elementwise(ssp.k1e, lambda x, out: out - (k0e(x) + kve(2, x)) / 2, "k1e")
kve = _in_args(ssp.kve, "kve", {1: lambda ans, v, z: ans - (kve(v - 1, z) + kve(v + 1, z)) / 2})

# binom(n, k) = Γ(n+1) / (Γ(k+1) Γ(n-k+1)):
#   ∂n = binom (ψ(n+1) - ψ(n-k+1)),   ∂k = binom (ψ(n-k+1) - ψ(k+1))
binom = _in_args(ssp.binom, "binom", {
    0: lambda ans, n, k: ans * (digamma(n + 1) - digamma(n - k + 1)),
    1: lambda ans, n, k: ans * (digamma(n - k + 1) - digamma(k + 1))})
# poch(z, m) = Γ(z+m) / Γ(z):   ∂z = poch (ψ(z+m) - ψ(z)),   ∂m = poch ψ(z+m)
poch = _in_args(ssp.poch, "poch", {0: lambda ans, z, m: ans * (digamma(z + m) - digamma(z)),
                                   1: lambda ans, z, m: ans * digamma(z + m)})


# factorial, comb and perm with exact=False are scipy's gamma-function formulas, smooth in
# real arguments (0 outside their domain); with exact=True they take integers only.
@composite(ssp.factorial)
def factorial(n, exact=False, extend="zero"):
    if exact:
        return ssp.factorial(getval(n), exact=True, extend=extend)
    if extend != "zero":
        return gamma(n + 1)
    neg = n < 0
    return where(neg, 0.0, gamma(where(neg, 0.0, n) + 1))  # n! = Γ(n+1); 0 for n < 0


def _in_range(N, k):
    return (k <= N) & (N >= 0) & (k >= 0)


@composite(ssp.comb)
def comb(N, k, *, exact=False, repetition=False):
    if exact:
        return ssp.comb(getval(N), getval(k), exact=True, repetition=repetition)
    if repetition:  # C(N + k - 1, k), and 1 for k = 0
        return where((k == 0) & (N >= 0), 1.0, binom(N + k - 1, k))
    ok = _in_range(N, k)
    return where(ok, binom(where(ok, N, 1.0), where(ok, k, 0.0)), 0.0)


@composite(ssp.perm)
def perm(N, k, exact=False):
    if exact:
        return ssp.perm(getval(N), getval(k), exact=True)
    ok = _in_range(N, k)   # N! / (N-k)! = poch(N - k + 1, k)
    N, k = where(ok, N, 1.0), where(ok, k, 0.0)
    return where(ok, poch(N - k + 1, k), 0.0)


# ------------------------------------------------------------------ misc elementary
exp10 = elementwise(ssp.exp10, lambda out: out * onp.log(10.0), "exp10")


# ------------------------------------------------------------------ logsumexp
# s = log Σ b e^a over `axis`. Real: scipy's sign convention, s = log|Σ b e^a| with the
#   sign separate. Complex: the principal log, s = log|S| + i arg S (S = Σ b e^a), which is
#   holomorphic in a and b (ds/da = b e^a / S = b e^(a - s) on every branch), so its rules
#   are the plain ones of the convention (rules/complex.py): no conjugates.
#   With w = sign · e^(a - s) (sign = 1 when complex; s re-broadcast over the reduced axes):
#   JVP: ds = Σ b w da + Σ w db     VJP: ā = g b w,  b̄ = g w
def _complex(a, b) -> bool:
    return onp.iscomplexobj(peek(a)) or onp.iscomplexobj(peek(b))


def _lse(a, b, axis=None, keepdims=False):
    if _complex(a, b):
        return ssp.logsumexp(a, axis=axis, b=b, keepdims=keepdims)
    return ssp.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=True)[0]


def _lse_sign(a, b, axis, keepdims):
    return ssp.logsumexp(getval(a), axis=axis, b=getval(b), keepdims=keepdims, return_sign=True)[1]


def _kept(ans, a, axis, keepdims):
    """ans (or its cotangent) with the reduced axes back as length-1 axes."""
    if keepdims:
        return ans
    shape = shape_of(a)  # from the shape alone: no array of a's size is allocated
    red = _axes(axis, len(shape))
    kept = tuple(1 if i in red else n for i, n in enumerate(shape))
    return reshape(ans, shape=kept)


def _lse_weight(ans, a, b, axis, keepdims):
    w = exp(a - _kept(ans, a, axis, keepdims))
    return w if _complex(a, b) else _lse_sign(a, b, axis, True) * w


_logsumexp = Primitive(_lse, "logsumexp")
_logsumexp.def_jvp(lambda t, ans, a, b, axis=None, keepdims=False: rsum(
    t * b * _lse_weight(ans, a, b, axis, keepdims), axis=axis, keepdims=keepdims), argnum=0)
_logsumexp.def_jvp(lambda t, ans, a, b, axis=None, keepdims=False: rsum(
    t * _lse_weight(ans, a, b, axis, keepdims), axis=axis, keepdims=keepdims), argnum=1)
_logsumexp.def_vjp(lambda g, ans, a, b, axis=None, keepdims=False: unbroadcast(
    _kept(g, a, axis, keepdims) * b * _lse_weight(ans, a, b, axis, keepdims), a),
    argnum=0, reads="ans a b")
_logsumexp.def_vjp(lambda g, ans, a, b, axis=None, keepdims=False: unbroadcast(
    _kept(g, a, axis, keepdims) * _lse_weight(ans, a, b, axis, keepdims), b),
    argnum=1, reads="ans a b")


def _norm_axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """scipy.special.logsumexp, differentiable in ``a`` and ``b``."""
    if not isinstance(a, Tracer) and not isinstance(b, Tracer):
        return ssp.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=return_sign)
    axis = _norm_axis(axis)
    if b is None:
        b = onp.ones((), onp.result_type(peek(a)))
    shape = onp.broadcast_shapes(shape_of(a), shape_of(b))
    if shape != shape_of(a):  # scipy broadcasts a with b, then reduces (axis is of that shape)
        a = broadcast_to(a, shape)
    out = _logsumexp(a, b, axis=axis, keepdims=keepdims)
    if return_sign:  # complex: scipy's (log|S|, S/|S|)
        return (real(out) if _complex(a, b) else out), _lse_sign(a, b, axis, keepdims)
    return out


# softmax(x) = exp(x - logsumexp(x));  log_softmax(x) = x - logsumexp(x)
def log_softmax(x, axis=None):
    """scipy.special.log_softmax, written with logsumexp."""
    if not isinstance(x, Tracer):
        return ssp.log_softmax(x, axis=axis)
    return x - logsumexp(x, axis=axis, keepdims=True)


def softmax(x, axis=None):
    """scipy.special.softmax, written with logsumexp."""
    if not isinstance(x, Tracer):
        return ssp.softmax(x, axis=axis)
    return exp(log_softmax(x, axis=axis))


# numpy's own rules serve scipy.special's versions of elementary functions.
SPECIAL = {name: globals()[name] for name in """
polygamma digamma psi gamma gammaln rgamma gammasgn multigammaln gammainc gammaincc
beta betaln betainc stdtr erf erfc erfcx erfinv erfcinv ndtr log_ndtr ndtri expit logit log_expit
xlogy xlog1py entr rel_entr kl_div j0 j1 y0 y1 jn yn jv yv i0 i1 iv i0e i1e ive
k0 k1 kv k0e k1e kve zeta exp10 logsumexp softmax log_softmax
binom poch factorial comb perm""".split()}
SPECIAL.update(log1p=log1p, expm1=expm1, cbrt=cbrt, exp2=exp2)

# Discrete-valued or integer-argument functions: nothing to differentiate.
NONDIFF = frozenset("""
factorial2 factorialk stirling2 round sindg_int
""".split())

__all__: list[str] = []  # scipy names are not numpy names: not part of RULES
