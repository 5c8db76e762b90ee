"""The eager overhead rows of ``python -m benchmarks``: what one call and one operation
cost when nothing is compiled, where users of autograd-style code feel it (``grad``
called thousands of times inside ``scipy.optimize``).

- the fixed cost of one ``grad`` call: ``sum(2 x)`` on 100 floats, two primitives;
- a scalar chain ``x = sin(x) * 0.9 + 0.1`` of 1000 steps (3000 operations), per
  operation, in reverse (``grad``) and forward (``deriv``) mode, beside the Python floor
  measured in the same run: a minimal tape class and minimal dual numbers
  (``benchmarks.workloads``), which do the same arithmetic with nothing else;
- the same chain on a 10-element array, reverse, against PyTorch eager;
- flatness: the cost per operation of one chain of 10^6 operations against 333 chains
  of 10^3 (the same operations in all), which the cyclic GC walking a growing tape used
  to make 1.7x.

Each timed sample runs the callable ``per`` times (one call of a few microseconds is
too short for the CPU clock), and the table shows the median divided by ``per`` and by
the number of operations: microseconds per call or per operation.
"""
from __future__ import annotations

import numpy as onp

import dualgrad
import dualgrad.numpy as dnp

from . import peers
from .workloads import _chain, _Dual, _DualNumpy, _TapeNumpy, minimal_tape_grad

try:
    import autograd
    import autograd.numpy as anp
except ImportError:  # the [bench] extra is optional
    autograd = anp = None

STEPS = 1000
OPS = 3 * STEPS  # sin, multiply, add per step


def _repeat(fns: dict, times: int) -> dict:
    """Each callable called ``times`` times per sample; the last answer is returned."""
    def loop(fn):
        def run():
            for _ in range(times - 1):
                fn()
            return fn()
        return run
    return {k: loop(fn) for k, fn in fns.items()}


def _per_call(calls: int, ops: int = 1):
    """A sample's seconds as microseconds per call and per operation."""
    return lambda seconds: seconds / calls / ops * 1e6


# ------------------------------------------------------------- fixed cost
FIXED_CALLS = 100


def grad_fixed_cost(quick):
    """``grad(lambda x: sum(2 x))`` on 100 floats, 100 calls per sample."""
    x = onp.linspace(0.0, 1.0, 100)
    g = dualgrad.grad(lambda v: dnp.sum(2.0 * v))
    out = {"dualgrad": lambda: g(x), "numpy": lambda: onp.sum(2.0 * x)}
    if autograd:
        ag = autograd.grad(lambda v: anp.sum(2.0 * v))
        out["autograd"] = lambda: ag(x)
    out.update(peers.fixed_cost(x))
    return _repeat(out, 2 if quick else FIXED_CALLS)


def _fixed_cost_check(t):
    us = _per_call(FIXED_CALLS)
    d = us(t["dualgrad"])
    met = d <= 25.0
    if "torch" in t:
        met = met and d < us(t["torch"])
    if "autograd" in t:
        met = met and d <= 0.5 * us(t["autograd"])
    return d, met


# ------------------------------------------------------------- per operation
def chain_reverse(quick):
    """``grad`` of the scalar chain, and the minimal tape (the Python floor)."""
    n = 20 if quick else STEPS
    g = dualgrad.grad(_chain(dnp, n))
    out = {"dualgrad": lambda: g(0.5), "numpy": lambda: _chain(onp, n)(0.5),
           "minimal tape": lambda: minimal_tape_grad(_chain(_TapeNumpy, n), 0.5)}
    if autograd:
        ag = autograd.grad(_chain(anp, n))
        out["autograd"] = lambda: ag(0.5)
    out.update(peers.scalar_chain(n, "grad"))
    return out


def chain_forward(quick):
    """``deriv`` of the scalar chain, and minimal dual numbers (the Python floor)."""
    n = 20 if quick else STEPS
    d = dualgrad.deriv(_chain(dnp, n))
    out = {"dualgrad": lambda: d(0.5), "numpy": lambda: _chain(onp, n)(0.5),
           "minimal dual numbers": lambda: _chain(_DualNumpy, n)(_Dual(0.5, 1.0)).t}
    if autograd:
        aj = autograd.make_jvp(_chain(anp, n))
        out["autograd"] = lambda: aj(0.5)(1.0)[1]
    out.update(peers.scalar_chain(n, "deriv"))
    return out


def _per_op_at_most(limit_us):
    def check(t):
        r = _per_call(1, OPS)(t["dualgrad"])
        return r, r <= limit_us
    return check


def array_chain(quick):
    """``grad`` of ``sum(chain(x))`` for a 10-element array: per-op cost with arrays."""
    n = 20 if quick else STEPS
    x = onp.linspace(0.1, 1.0, 10)

    def f(np):
        return lambda v: np.sum(_chain(np, n)(v))
    g = dualgrad.grad(f(dnp))
    out = {"dualgrad": lambda: g(x), "numpy": lambda: f(onp)(x)}
    if autograd:
        ag = autograd.grad(f(anp))
        out["autograd"] = lambda: ag(x)
    out.update(peers.array_chain(n, x))
    return out


def _vs_torch_at_most(limit):
    def check(t):
        if "torch" not in t:
            return None, None  # torch is not installed: not measured
        r = t["dualgrad"] / t["torch"]
        return r, r <= limit
    return check


# ------------------------------------------------------------- flatness
SHORT = "dualgrad, 333 chains of 10^3 ops"


def flatness(quick):
    """One chain of 333,333 steps (10^6 ops) against 333 chains of 333 steps: the same
    operations, so the ratio of the two times is the ratio of the costs per operation."""
    steps, chains = (300, 3) if quick else (333_333, 333)
    long_g = dualgrad.grad(_chain(dnp, steps))
    short_g = dualgrad.grad(_chain(dnp, steps // chains))

    def short():
        for _ in range(chains - 1):
            short_g(0.5)
        return short_g(0.5)
    return {"dualgrad": lambda: long_g(0.5), SHORT: short,
            "numpy": lambda: _chain(onp, steps)(0.5)}


def _flat_within(limit):
    def check(t):
        r = t["dualgrad"] / t[SHORT]
        return r, r <= limit
    return check


def overhead_workloads(Workload):
    """The rows, as ``benchmarks.workloads.Workload`` entries; ``per`` turns a sample's
    time into microseconds per call or per operation in the table."""
    return [
        Workload("fixed cost of one `grad` call (sum(2x) on 100 floats), eager, us per call",
                 grad_fixed_cost, "sum(2x) alone", "<= 25 us, below torch, <= half of autograd",
                 _fixed_cost_check, repeats=15, unit="us", per=FIXED_CALLS),
        Workload("scalar chain, 1000 steps (3000 ops), reverse `grad`, eager, us per op",
                 chain_reverse, "forward only", "<= 1.5 us/op", _per_op_at_most(1.5),
                 repeats=21, unit="us", per=OPS),
        Workload("scalar chain, 1000 steps (3000 ops), forward `deriv`, eager, us per op",
                 chain_forward, "forward only", "<= 1.0 us/op", _per_op_at_most(1.0),
                 repeats=21, unit="us", per=OPS),
        Workload("10-element array chain, 1000 steps (3000 ops), reverse, us per op; "
                 "figure: dualgrad / torch eager", array_chain, "forward only",
                 "<= 0.7x torch eager", _vs_torch_at_most(0.7), repeats=21, per=OPS),
        Workload("scalar chain, reverse, per op: 10^6 ops in one chain / 333 chains of "
                 "10^3 ops", flatness, "forward only, 10^6 ops", "within 1.2x",
                 _flat_within(1.2), repeats=3),
    ]
