"""The benchmark workloads: each one the same computation done by dualgrad (eager
and ``jit``), autograd, PyTorch and JAX (``benchmarks.peers``: eager, and
``jax.jit``) and hand-written numpy (the floor), at a full and a tiny (``quick``) size.

A workload's ``setup(quick)`` returns a dict of zero-argument callables keyed
by "dualgrad", "jit", "autograd", "torch", "jax", "jax.jit" (each peer absent when
it is not installed) and "numpy", plus how to read the ratio against the issue's
target; other keys are extra floors shown in the numpy cell ("numpy grad by hand",
"minimal tape": the Python floor of an operator-overloading tape).
"""
from __future__ import annotations

import gc
import tracemalloc
from dataclasses import dataclass
from typing import Callable

import numpy as onp

import dualgrad
import dualgrad.numpy as dnp

from . import peers

try:
    import autograd
    import autograd.numpy as anp
except ImportError:  # the [bench] extra is optional
    autograd = anp = None


@dataclass
class Workload:
    name: str
    setup: Callable[[bool], dict]
    numpy_label: str       # what the numpy column measures
    target: str            # the target, as text
    check: Callable        # (times: dict) -> (figure: float, met: bool | None)
    repeats: int = 7
    unit: str = "x"        # how the figure reads (a ratio, or us for the jit rows)
    per: int = 1           # the table shows a sample's time / per (per call, per op)


def _vs_autograd_at_most(limit):
    def check(t):
        if "autograd" not in t:
            return None, None
        r = t["dualgrad"] / t["autograd"]
        return r, r <= limit
    return check


def _faster_than_autograd_by(factor):
    def check(t):
        if "autograd" not in t:
            return None, None
        r = t["autograd"] / t["dualgrad"]
        return r, r >= factor
    return check


def _vs_numpy_at_most(limit):
    def check(t):
        r = t["dualgrad"] / t["numpy"]
        return r, r <= limit
    return check


# ------------------------------------------------------------- scalar chains
_chain = peers._chain  # one definition: the peers' rows run the same chain


class _TapeVar:
    """The Python floor of reverse mode: a minimal operator-overloading tape (a node per
    op holding its parents and local derivatives, one backward walk), with the same
    NumPy calls as the traced chain and nothing else (no checks, no rules, no levels)."""

    __slots__ = ("v", "g", "parents")

    def __init__(self, v, parents, tape):
        self.v, self.g, self.parents = v, 0.0, parents
        tape.append(self)

    def __mul__(self, c):
        return _TapeVar(self.v * c, ((self, c),), _TAPE[-1])

    def __add__(self, c):
        return _TapeVar(self.v + c, ((self, 1.0),), _TAPE[-1])


_TAPE: list = []


class _TapeNumpy:
    @staticmethod
    def sin(x):
        return _TapeVar(onp.sin(x.v), ((x, onp.cos(x.v)),), _TAPE[-1])


def minimal_tape_grad(f, x0):
    """``f'(x0)`` by the minimal tape: record, then walk the tape backwards."""
    tape: list = []
    _TAPE.append(tape)
    try:
        x = _TapeVar(x0, (), tape)
        y = f(x)
    finally:
        _TAPE.pop()
    y.g = 1.0
    for node in reversed(tape):
        for p, d in node.parents:
            p.g += node.g * d
    return x.g


class _Dual:
    """The Python floor of forward mode: a minimal dual number."""

    __slots__ = ("v", "t")

    def __init__(self, v, t):
        self.v, self.t = v, t

    def __mul__(self, c):
        return _Dual(self.v * c, self.t * c)

    def __add__(self, c):
        return _Dual(self.v + c, self.t)


class _DualNumpy:
    @staticmethod
    def sin(x):
        return _Dual(onp.sin(x.v), onp.cos(x.v) * x.t)


def scalar_chain_rev(quick):
    n = 20 if quick else 1000
    jg = dualgrad.jit(dualgrad.grad(_chain(dnp, n)))
    out = {"dualgrad": lambda: dualgrad.grad(_chain(dnp, n))(0.5), "jit": lambda: jg(0.5),
           "numpy": lambda: _chain(onp, n)(0.5),
           "minimal tape": lambda: minimal_tape_grad(_chain(_TapeNumpy, n), 0.5)}
    if autograd:
        out["autograd"] = lambda: autograd.grad(_chain(anp, n))(0.5)
    out.update(peers.scalar_chain(n, "grad"))
    return out


def scalar_chain_fwd(quick):
    n = 20 if quick else 1000
    jd = dualgrad.jit(dualgrad.deriv(_chain(dnp, n)))
    out = {"dualgrad": lambda: dualgrad.deriv(_chain(dnp, n))(0.5), "jit": lambda: jd(0.5),
           "numpy": lambda: _chain(onp, n)(0.5),
           "minimal dual numbers": lambda: _chain(_DualNumpy, n)(_Dual(0.5, 1.0)).t}
    if autograd:
        out["autograd"] = lambda: autograd.make_jvp(_chain(anp, n))(0.5)(1.0)
    out.update(peers.scalar_chain(n, "deriv"))
    return out


def long_chain_rev(quick):
    n = 200 if quick else 100_000
    out = {"dualgrad": lambda: dualgrad.grad(_chain(dnp, n // 3))(0.5),
           "numpy": lambda: _chain(onp, n // 3)(0.5)}
    if autograd:
        out["autograd"] = lambda: autograd.grad(_chain(anp, n // 3))(0.5)
    return out


# ------------------------------------------------------------- large arrays
def _mlp_loss(np, params, x):
    (W1, b1), (W2, b2), (W3, b3) = params
    h = np.tanh(x @ W1 + b1)
    h = np.tanh(h @ W2 + b2)
    return np.sum((h @ W3 + b3) ** 2) / x.shape[0]


def mlp_grad(quick):
    width, batch = (32, 8) if quick else (2048, 256)
    rng = onp.random.default_rng(0)
    sizes = [(width, width), (width, width), (width, 10)]
    params = [(rng.standard_normal(s) / onp.sqrt(s[0]), onp.zeros(s[1])) for s in sizes]
    x = rng.standard_normal((batch, width))
    jg = dualgrad.jit(dualgrad.grad(lambda p: _mlp_loss(dnp, p, x)))
    out = {"dualgrad": lambda: dualgrad.grad(lambda p: _mlp_loss(dnp, p, x))(params),
           "jit": lambda: jg(params),
           "numpy": lambda: _mlp_loss(onp, params, x),
           "numpy grad by hand": lambda: _mlp_grad_by_hand(params, x)}
    if autograd:
        out["autograd"] = lambda: autograd.grad(lambda p: _mlp_loss(anp, p, x))(params)
    out.update(peers.mlp_grad(params, x, _mlp_loss))
    return out


def _mlp_grad_by_hand(params, x):
    (W1, b1), (W2, b2), (W3, b3) = params
    h1 = onp.tanh(x @ W1 + b1)
    h2 = onp.tanh(h1 @ W2 + b2)
    y = h2 @ W3 + b3
    gy = 2 * y / x.shape[0]
    g2 = (gy @ W3.T) * (1 - h2 ** 2)
    g1 = (g2 @ W2.T) * (1 - h1 ** 2)
    return [(x.T @ g1, g1.sum(0)), (h1.T @ g2, g2.sum(0)), (h2.T @ gy, gy.sum(0))]


# ------------------------------------------------------------- per-example gradients
def _small_mlp_loss(np, act, params, x, y):
    """One example's squared error through a 3-layer MLP with activation ``act``."""
    (W1, b1), (W2, b2), (W3, b3) = params
    h = act(np, x @ W1 + b1)
    h = act(np, h @ W2 + b2)
    return np.sum((h @ W3 + b3 - y) ** 2)


def _relu(np, z):
    return np.maximum(z, 0.0)  # its gradient reads a mask of z: batched in one pass


def _tanh(np, z):
    return np.tanh(z)


def per_example_grads(quick):
    """``vmap(grad)`` of a ReLU MLP over the examples, against a Python loop of
    ``grad`` (autograd has no vmap: its column is its own loop) and against the same
    ``vmap(grad)`` of a tanh MLP (no masks)."""
    n, d, width = (16, 4, 8) if quick else (512, 16, 64)
    rng = onp.random.default_rng(0)
    sizes = [(d, width), (width, width), (width, 1)]
    params = [(rng.standard_normal(s) / onp.sqrt(s[0]), rng.standard_normal(s[1]) * 0.1)
              for s in sizes]
    xs, ys = rng.standard_normal((n, d)), rng.standard_normal((n, 1))

    def loss(np, act):
        return lambda p, x, y: _small_mlp_loss(np, act, p, x, y)
    relu = dualgrad.vmap(dualgrad.grad(loss(dnp, _relu)), in_axes=(None, 0, 0))
    tanh = dualgrad.vmap(dualgrad.grad(loss(dnp, _tanh)), in_axes=(None, 0, 0))
    one = dualgrad.grad(loss(dnp, _relu))
    out = {"dualgrad": lambda: relu(params, xs, ys),
           "numpy": lambda: [one(params, x, y) for x, y in zip(xs, ys)],
           "tanh MLP vmap(grad)": lambda: tanh(params, xs, ys)}
    if autograd:
        aone = autograd.grad(loss(anp, _relu))
        out["autograd"] = lambda: [aone(params, x, y) for x, y in zip(xs, ys)]
    out.update(peers.per_example_grads(params, xs, ys,
                                       lambda np, p, x, y: _small_mlp_loss(np, _relu, p, x, y)))
    return out


def _faster_than_loop_by(factor):
    def check(t):
        r = t["numpy"] / t["dualgrad"]
        return r, r >= factor
    return check


def elementwise_grad(quick):
    x = onp.linspace(-2, 2, 1000 if quick else 10 ** 6)

    def f(np):
        return lambda x: np.sin(2 * onp.pi * x + x ** 2)
    je = dualgrad.jit(dualgrad.elementwise_grad(f(dnp)))
    out = {"dualgrad": lambda: dualgrad.elementwise_grad(f(dnp))(x), "jit": lambda: je(x),
           "numpy": lambda: f(onp)(x),
           "numpy grad by hand": lambda: onp.cos(2 * onp.pi * x + x ** 2) * (2 * onp.pi + 2 * x)}
    if autograd:
        out["autograd"] = lambda: autograd.elementwise_grad(f(anp))(x)
    out.update(peers.elementwise_grad(x, f))
    return out


# ------------------------------------------------------------- Jacobians
def _same(a):
    return a


def _jacobian_workload(n_in, n_out):
    def setup(quick):
        n, m = (max(n_in // 50, 2), max(n_out // 50, 2)) if quick else (n_in, n_out)
        rng = onp.random.default_rng(1)
        W = rng.standard_normal((m, n)) / onp.sqrt(n)
        x = rng.standard_normal(n)

        def f(np, const=_same):
            Wc = const(W)
            return lambda x: np.tanh(Wc @ x) * x[0]

        def by_hand():  # d/dx tanh(Wx) x0 = x0 diag(1 - y^2) W + y e_0^T
            y = onp.tanh(W @ x)
            J = x[0] * (1 - y ** 2)[:, None] * W
            J[:, 0] += y
            return J
        jj = dualgrad.jit(dualgrad.jacobian(f(dnp)))
        out = {"dualgrad": lambda: dualgrad.jacobian(f(dnp))(x), "jit": lambda: jj(x),
               "numpy": by_hand}
        if autograd:
            out["autograd"] = lambda: autograd.jacobian(f(anp))(x)
        out.update(peers.jacobian(x, f, forward=n < m))
        return out
    return setup


def hessian(quick):
    n = 8 if quick else 300
    rng = onp.random.default_rng(2)
    A = rng.standard_normal((n, n)) / onp.sqrt(n)
    Q = A @ A.T
    x = rng.standard_normal(n)

    def f(np, const=_same):
        Ac, Qc = const(A), const(Q)

        def lse_quad(x):
            z = Ac @ x
            m = np.max(z)
            return m + np.log(np.sum(np.exp(z - m))) + 0.5 * x @ (Qc @ x)
        return lse_quad

    def by_hand():  # A^T (diag(p) - p p^T) A + Q, p = softmax(Ax)
        z = A @ x
        p = onp.exp(z - z.max())
        p /= p.sum()
        return A.T @ ((onp.diag(p) - onp.outer(p, p)) @ A) + Q
    jh = dualgrad.jit(dualgrad.hessian(f(dnp)))
    out = {"dualgrad": lambda: dualgrad.hessian(f(dnp))(x), "jit": lambda: jh(x),
           "numpy": by_hand}
    if autograd:
        out["autograd"] = lambda: autograd.hessian(f(anp))(x)
    out.update(peers.hessian(x, f))
    return out


# ------------------------------------------------------------- memory
def _peak_bytes(fn) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def reverse_peak_memory(quick):
    """Peak bytes (not seconds) of grad of a 20-layer elementwise chain, y = sin(y) * 1.01
    (both factors of each layer: a tape keeping every argument and answer needs twice
    autograd's memory here). ``python -m benchmarks.memory`` measures seven chains, each
    in a fresh process, against autograd and a hand-written backward pass."""
    x = onp.linspace(0, 1, 10 ** 4 if quick else 10 ** 7)

    def chain(np):
        def f(x):
            for _ in range(20):
                x = np.sin(x) * 1.01
            return np.sum(x)
        return f
    out = {"dualgrad": lambda: _peak_bytes(lambda: dualgrad.grad(chain(dnp))(x)),
           "numpy": lambda: _peak_bytes(lambda: chain(onp)(x))}
    if autograd:
        out["autograd"] = lambda: _peak_bytes(lambda: autograd.grad(chain(anp))(x))
    return out


WORKLOADS = [
    Workload("scalar chain, 1000 steps, reverse `grad`", scalar_chain_rev, "forward only",
             "<= 0.3x autograd", _vs_autograd_at_most(0.3)),
    Workload("scalar chain, 1000 steps, forward `deriv`", scalar_chain_fwd, "forward only",
             "<= 0.3x autograd", _vs_autograd_at_most(0.3)),
    Workload("3-layer tanh MLP grad, width 2048, batch 256", mlp_grad, "forward only",
             "<= 2.5x numpy forward", _vs_numpy_at_most(2.5), repeats=5),
    Workload("`elementwise_grad` sin(2 pi x + x^2), 10^6 points", elementwise_grad,
             "forward only", "<= 2.0x numpy forward", _vs_numpy_at_most(2.0)),
    Workload("`jacobian`, R^10 -> R^1000", _jacobian_workload(10, 1000), "J by hand",
             ">= 100x faster than autograd", _faster_than_autograd_by(100)),
    Workload("`jacobian`, R^1000 -> R^10", _jacobian_workload(1000, 10), "J by hand",
             ">= 1x (as fast as autograd)", _faster_than_autograd_by(1)),
    Workload("`jacobian`, R^200 -> R^200", _jacobian_workload(200, 200), "J by hand",
             ">= 8x faster than autograd", _faster_than_autograd_by(8)),
    Workload("`hessian`, n = 300 (log-sum-exp + quadratic)", hessian, "H by hand",
             ">= 10x faster than autograd", _faster_than_autograd_by(10), repeats=5),
    Workload("`vmap(grad)` of a ReLU MLP (16 -> 64 -> 64 -> 1), 512 examples",
             per_example_grads, "a loop of `grad`", ">= 30x faster than the loop",
             _faster_than_loop_by(30)),
    Workload("scalar chain, 100,000 operations, reverse", long_chain_rev, "forward only",
             "no RecursionError", lambda t: (None, True), repeats=3),
    Workload("peak memory (MB), grad of 20 layers of sin(x) * 1.01 on 10^7 floats "
             "(seven chains: python -m benchmarks.memory)", reverse_peak_memory,
             "forward only", "<= autograd's peak", _vs_autograd_at_most(1.0), repeats=1),
]

from .jit import jit_workloads  # noqa: E402  (its rows use the Workload above)

from .overhead import overhead_workloads  # noqa: E402

WORKLOADS += jit_workloads(Workload)
WORKLOADS += overhead_workloads(Workload)
