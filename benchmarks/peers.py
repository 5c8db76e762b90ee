"""The peer columns of ``python -m benchmarks``: PyTorch eager (``torch.autograd``,
``torch.func``) and JAX, eager and ``jax.jit``, where they are installed (the
``bench`` extra: ``pip install -e ".[bench]"``; neither is a dependency).

Every peer computes the workload's own numbers in float64 on the CPU with one
thread (JAX with ``jax_enable_x64``, torch with ``float64`` tensors and
``torch.set_num_threads(1)``), and gives back what a user would keep: NumPy arrays
(``.numpy()``, ``numpy.asarray``), so that a peer's time includes the conversion a
NumPy caller pays. ``jax.jit`` callables are compiled in the warm-up call; their
median is the compiled call. ``tests/test_benchmarks_smoke.py`` checks each peer's
answer against dualgrad's when the peer is installed.

Each function here returns a dict of zero-argument callables keyed ``"torch"``,
``"jax"`` and ``"jax.jit"`` (empty when neither library is installed).
"""
from __future__ import annotations

import importlib.util
import os

import numpy as onp

# one thread for XLA's CPU client too, set before jax is imported
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                   "intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

_torch = _jax = None


def torch():
    """The torch module, set to one thread, or None when it is not installed."""
    global _torch
    if _torch is None and importlib.util.find_spec("torch") is not None:
        import torch as t
        t.set_num_threads(1)
        _torch = t
    return _torch


def jax():
    """``(jax, jax.numpy)`` with float64 on, or None when jax is not installed."""
    global _jax
    if _jax is None and importlib.util.find_spec("jax") is not None:
        import jax as j
        import jax.numpy as jnp
        j.config.update("jax_enable_x64", True)
        _jax = (j, jnp)
    return _jax


def versions() -> dict:
    """Installed peer versions, by column name."""
    out = {}
    if torch():
        out["torch"] = torch().__version__
    if jax():
        out["jax"] = jax()[0].__version__
    return out


def _tt(a):
    return torch().tensor(a, dtype=torch().float64)


def _np(t):
    return t.detach().numpy()


# ------------------------------------------------------------- scalar chains
def _chain(np, steps):
    def f(x):
        for _ in range(steps):
            x = np.sin(x) * 0.9 + 0.1
        return x
    return f


def scalar_chain(n: int, kind: str) -> dict:
    """``kind``: "grad" (reverse), "deriv" (forward) or "value_and_grad" of the chain at 0.5."""
    out = {}
    if torch():
        T = torch()

        def tgrad():
            x = T.tensor(0.5, dtype=T.float64, requires_grad=True)
            y = _chain(TNP, n)(x)
            (g,) = T.autograd.grad(y, x)
            return (y.item(), g.item()) if kind == "value_and_grad" else g.item()

        def tderiv():  # forward mode: torch.func.jvp
            _, t = T.func.jvp(_chain(TNP, n), (T.tensor(0.5, dtype=T.float64),),
                              (T.tensor(1.0, dtype=T.float64),))
            return t.item()
        out["torch"] = tderiv if kind == "deriv" else tgrad
    if jax():
        j, jnp = jax()
        f = _chain(jnp, n)
        t = {"grad": j.grad(f), "value_and_grad": j.value_and_grad(f),
             "deriv": lambda x: j.jvp(f, (x,), (1.0,))[1]}[kind]
        jt = j.jit(t)
        conv = (lambda r: (float(r[0]), float(r[1]))) if kind == "value_and_grad" else float
        out["jax"] = lambda: conv(t(0.5))
        out["jax.jit"] = lambda: conv(jt(0.5))
    return out


# ------------------------------------------------------------- MLPs
def _torch_leaves(tp):
    """Fresh leaves requiring grad for the (W, b) tensors ``tp``: the flat list (for
    ``torch.autograd.grad``) and the same as (W, b) pairs (for the loss)."""
    leaves = [p.clone().requires_grad_(True) for wb in tp for p in wb]
    return leaves, list(zip(leaves[::2], leaves[1::2]))


def _np_pairs(gs):
    """(W, b) gradient pairs as NumPy arrays, from pairs or from torch's flat tuple."""
    if gs and not isinstance(gs[0], (tuple, list)):
        gs = list(zip(gs[::2], gs[1::2]))
    return [(_as_np(a), _as_np(b)) for a, b in gs]


def _as_np(a):
    return _np(a) if hasattr(a, "detach") else onp.asarray(a)


def mlp_grad(params, x, loss_np) -> dict:
    """``grad`` of ``loss_np(np, params, x)`` in the parameters (a list of (W, b))."""
    out = {}
    if torch():
        T = torch()
        tp = [(_tt(W), _tt(b)) for W, b in params]
        tx = _tt(x)

        def tgrad():
            leaves, ps = _torch_leaves(tp)
            return _np_pairs(T.autograd.grad(loss_np(TNP, ps, tx), leaves))
        out["torch"] = tgrad
    if jax():
        j, jnp = jax()
        jp = [(jnp.asarray(W), jnp.asarray(b)) for W, b in params]
        jx = jnp.asarray(x)
        g = j.grad(lambda p: loss_np(jnp, p, jx))
        jg = j.jit(g)
        out["jax"] = lambda: _np_pairs(g(jp))
        out["jax.jit"] = lambda: _np_pairs(jg(jp))
    return out


def mlp_value_and_grad(params, x, y, loss_np) -> dict:
    """``value_and_grad`` of ``loss_np(np, params, x, y)`` in the parameters."""
    out = {}
    if torch():
        T = torch()
        tp = [(_tt(W), _tt(b)) for W, b in params]
        tx, ty = _tt(x), _tt(y)

        def tvg():
            leaves, ps = _torch_leaves(tp)
            v = loss_np(TNP, ps, tx, ty)
            return v.item(), _np_pairs(T.autograd.grad(v, leaves))
        out["torch"] = tvg
    if jax():
        j, jnp = jax()
        jp = [(jnp.asarray(W), jnp.asarray(b)) for W, b in params]
        jx, jy = jnp.asarray(x), jnp.asarray(y)
        vg = j.value_and_grad(lambda p: loss_np(jnp, p, jx, jy))
        jvg = j.jit(vg)
        conv = lambda r: (float(r[0]), _np_pairs(r[1]))
        out["jax"] = lambda: conv(vg(jp))
        out["jax.jit"] = lambda: conv(jvg(jp))
    return out


def per_example_grads(params, xs, ys, loss_np) -> dict:
    """``vmap(grad)`` over the examples (``torch.func`` and ``jax.vmap``)."""
    out = {}
    if torch():
        T = torch()
        tp = [(_tt(W), _tt(b)) for W, b in params]
        txs, tys = _tt(xs), _tt(ys)
        pg = T.func.vmap(T.func.grad(lambda p, x, y: loss_np(TNP, p, x, y)), in_dims=(None, 0, 0))
        out["torch"] = lambda: [(_np(a), _np(b)) for a, b in pg(tp, txs, tys)]
    if jax():
        j, jnp = jax()
        jp = [(jnp.asarray(W), jnp.asarray(b)) for W, b in params]
        jxs, jys = jnp.asarray(xs), jnp.asarray(ys)
        pj = j.vmap(j.grad(lambda p, x, y: loss_np(jnp, p, x, y)), in_axes=(None, 0, 0))
        jpg = j.jit(pj)
        conv = lambda gs: [(onp.asarray(a), onp.asarray(b)) for a, b in gs]
        out["jax"] = lambda: conv(pj(jp, jxs, jys))
        out["jax.jit"] = lambda: conv(jpg(jp, jxs, jys))
    return out


# ------------------------------------------------------------- arrays
def elementwise_grad(x, f_np) -> dict:
    """The derivative of an elementwise ``f_np(np)(x)`` at every point."""
    out = {}
    if torch():
        T = torch()
        tx = _tt(x)

        def tgrad():
            v = tx.clone().requires_grad_(True)
            (g,) = T.autograd.grad(f_np(TNP)(v).sum(), v)
            return _np(g)
        out["torch"] = tgrad
    if jax():
        j, jnp = jax()
        jx = jnp.asarray(x)
        g = j.grad(lambda v: jnp.sum(f_np(jnp)(v)))
        jg = j.jit(g)
        out["jax"] = lambda: onp.asarray(g(jx))
        out["jax.jit"] = lambda: onp.asarray(jg(jx))
    return out


def jacobian(x, f_np, forward: bool) -> dict:
    """The dense Jacobian, in the mode a careful user picks (``forward``: fewer inputs).
    ``f_np(np, const)`` makes the function, its constant arrays passed through ``const``
    (a tensor for torch, whose transforms take no NumPy operand)."""
    out = {}
    if torch():
        T = torch()
        tx = _tt(x)
        jt = (T.func.jacfwd if forward else T.func.jacrev)(f_np(TNP, _tt))
        out["torch"] = lambda: _np(jt(tx))
    if jax():
        j, jnp = jax()
        jx = jnp.asarray(x)
        jj = (j.jacfwd if forward else j.jacrev)(f_np(jnp, jnp.asarray))
        jjj = j.jit(jj)
        out["jax"] = lambda: onp.asarray(jj(jx))
        out["jax.jit"] = lambda: onp.asarray(jjj(jx))
    return out


def hessian(x, f_np) -> dict:
    out = {}
    if torch():
        T = torch()
        tx = _tt(x)
        h = T.func.hessian(f_np(TNP, _tt))
        out["torch"] = lambda: _np(h(tx))
    if jax():
        j, jnp = jax()
        jx = jnp.asarray(x)
        hj = j.hessian(f_np(jnp, jnp.asarray))
        jh = j.jit(hj)
        out["jax"] = lambda: onp.asarray(hj(jx))
        out["jax.jit"] = lambda: onp.asarray(jh(jx))
    return out


# ------------------------------------------------------------- jit rows
def array_chain(n: int, x) -> dict:
    """``grad`` of ``sum(chain(x))`` for an array ``x`` (``benchmarks.overhead``)."""
    out = {}
    if torch():
        T = torch()
        tx = _tt(x)

        def tgrad():
            v = tx.clone().requires_grad_(True)
            (g,) = T.autograd.grad(T.sum(_chain(TNP, n)(v)), v)
            return _np(g)
        out["torch"] = tgrad
    if jax():
        j, jnp = jax()
        g = j.grad(lambda v: jnp.sum(_chain(jnp, n)(v)))
        jg = j.jit(g)
        out["jax"] = lambda: onp.asarray(g(x))
        out["jax.jit"] = lambda: onp.asarray(jg(x))
    return out


def fixed_cost(x) -> dict:
    """``grad`` of ``sum(2 x)``."""
    out = {}
    if torch():
        T = torch()
        tx = _tt(x)

        def tgrad():
            v = tx.clone().requires_grad_(True)
            (g,) = T.autograd.grad(T.sum(2.0 * v), v)
            return _np(g)
        out["torch"] = tgrad
    if jax():
        j, jnp = jax()
        g = j.grad(lambda v: jnp.sum(2.0 * v))
        jg = j.jit(g)
        out["jax"] = lambda: onp.asarray(g(x))
        out["jax.jit"] = lambda: onp.asarray(jg(x))
    return out


def weibull_fit(make_nll, X, T, E, fit, k) -> dict:
    """The maximum-likelihood fit with each peer's ``value_and_grad`` (NumPy in and out,
    as scipy.optimize calls it)."""
    out = {}
    if torch():
        tt = torch()
        nll = make_nll(TNP, _tt(X), _tt(T), _tt(E))

        def tvg(p):
            v = tt.tensor(p, dtype=tt.float64, requires_grad=True)
            y = nll(v)
            (g,) = tt.autograd.grad(y, v)
            return y.item(), _np(g)
        out["torch"] = lambda: fit(tvg, k)
    if jax():
        j, jnp = jax()
        vg = j.value_and_grad(make_nll(jnp, jnp.asarray(X), T, E))
        jvg = j.jit(vg)
        conv = lambda r: (float(r[0]), onp.asarray(r[1]))
        out["jax"] = lambda: fit(lambda p: conv(vg(p)), k)
        out["jax.jit"] = lambda: fit(lambda p: conv(jvg(p)), k)
    return out


class _TorchNumpy:
    """``numpy``'s names for torch tensors, as the workloads' functions call them:
    torch's own functions, with ``maximum(z, 0.0)`` taking a Python number and ``exp``
    a NumPy array."""

    def __getattr__(self, name):
        fun = getattr(torch(), name)
        setattr(self, name, fun)  # found once: later calls are torch's own, at its speed
        return fun

    @staticmethod
    def maximum(a, b):
        return torch().clamp_min(a, b) if isinstance(b, (int, float)) else torch().maximum(a, b)

    @staticmethod
    def exp(v):
        return torch().exp(v) if isinstance(v, torch().Tensor) else onp.exp(v)


_TorchNp = TNP = _TorchNumpy()
