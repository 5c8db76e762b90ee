"""``python -m benchmarks.taylor [--quick]``: Taylor mode against nesting.

Measured in one run, on one machine, in CPU time (``time.process_time``: the machine
may be shared, and wall time then counts other people's work), the compared variants
interleaved (each round times every variant once, in turn) and the medians reported:

- the 10th derivative of a 50-primitive scalar chain: ``derivatives(f, order=10)``
  (one Taylor pass) against ten nested ``deriv`` (forward mode over forward mode,
  about 2^10 dual operations per primitive), with the error of both against
  mpmath at 30 digits;
- the Laplacian of a tanh MLP f: R^n -> R at n = 1000: ``laplacian`` (collapsed
  Taylor mode) against ``trace(hessian(f))`` (forward over reverse, n HVPs
  batched);
- ``linearize`` once and its linear map applied 100 times, against 100 ``jvp``
  calls (re-running f each time); the parts (one ``linearize``, one application, one
  ``jvp``) are timed in the same rounds.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from . import machine  # sets one BLAS thread before numpy loads

import mpmath
import numpy as onp

import dualgrad
import dualgrad.numpy as np


# ------------------------------------------------------------------ the chain
def scalar_chain(x, lib=np):
    """A 50-primitive chain: ten rounds of sin, *, +, tanh, exp."""
    for _ in range(10):
        x = lib.exp(lib.tanh(lib.sin(x) * 0.7 + 0.3))
    return x


def _mp_chain(x):
    for _ in range(10):
        x = mpmath.exp(mpmath.tanh(mpmath.sin(x) * mpmath.mpf("0.7") + mpmath.mpf("0.3")))
    return x


def nested(f, k):
    for _ in range(k):
        f = dualgrad.deriv(f)
    return f


# ------------------------------------------------------------------ the MLP
def mlp(n, width=64, seed=0):
    r = onp.random.default_rng(seed)
    W1 = r.normal(size=(width, n)) / onp.sqrt(n)
    W2 = r.normal(size=(width, width)) / onp.sqrt(width)
    w3 = r.normal(size=width) / onp.sqrt(width)

    def f(x):
        h = np.tanh(W1 @ x + 0.1)
        h = np.tanh(W2 @ h)
        return w3 @ h
    f.weights = (W1, W2, w3)
    return f


def mlp_jvp_by_hand(f, x):
    """``v -> J v`` of ``mlp``'s ``f`` at ``x`` in NumPy, its constants computed once."""
    W1, W2, w3 = f.weights
    h1 = onp.tanh(W1 @ x + 0.1)
    h2 = onp.tanh(W2 @ h1)
    d1, d2 = 1 - h1 ** 2, 1 - h2 ** 2
    return lambda v: w3 @ ((W2 @ ((W1 @ v) * d1)) * d2)


def interleaved_cpu(fns: dict, rounds: int) -> dict:
    """Median CPU seconds of each of ``fns`` over ``rounds`` rounds, each round calling
    every function once in turn (after one untimed warm-up call each), so that a
    change in the machine's load falls on all of them alike."""
    for fn in fns.values():
        fn()
    times: dict = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            t0 = time.process_time()
            fn()
            times[k].append(time.process_time() - t0)
    return {k: statistics.median(t) for k, t in times.items()}


def main(quick=False):
    print(f"Machine: {machine()}", file=sys.stderr)
    repeats = 1 if quick else 5
    rows = ["| workload | Taylor mode | nested / dense | ratio | target |", "|---|---|---|---|---|"]

    # 1. the 10th derivative of a 50-primitive chain
    K = 4 if quick else 10
    x0 = 0.3
    mpmath.mp.dps = 30
    want = float(mpmath.diff(_mp_chain, mpmath.mpf(x0), K))
    t_jet = interleaved_cpu({"jet": lambda: dualgrad.derivatives(scalar_chain, order=K)(x0)},
                            repeats)["jet"]
    got_jet = dualgrad.derivatives(scalar_chain, order=K)(x0)[K]
    dk = nested(scalar_chain, K)
    t0 = time.process_time()  # seconds: once is enough
    got_nest = dk(x0)
    t_nest = time.process_time() - t0
    err = lambda g: abs(g - want) / abs(want)  # noqa: E731
    print(f"chain: derivatives error vs mpmath "
          f"{err(got_jet):.1e}, nested error {err(got_nest):.1e}", file=sys.stderr)
    rows.append(f"| {K}th derivative of a 50-primitive scalar chain (error vs mpmath: "
                f"{err(got_jet):.0e}) | {t_jet * 1e3:.3g} ms | {t_nest * 1e3:.4g} ms | "
                f"{t_nest / t_jet:.0f}x | >= 50x, err <= 1e-10: "
                f"{'met' if t_nest / t_jet >= 50 and err(got_jet) <= 1e-10 else 'not met'} |")

    # 2. the Laplacian of an MLP
    n = 50 if quick else 1000
    f = mlp(n)
    x = onp.random.default_rng(1).normal(size=n)
    lap = dualgrad.laplacian(f)
    H = dualgrad.hessian(f)
    a, b = lap(x), onp.trace(H(x))
    assert abs(a - b) <= 1e-8 * max(1.0, abs(b)), (a, b)
    t = interleaved_cpu({"lap": lambda: lap(x), "hes": lambda: onp.trace(H(x))}, repeats)
    t_lap, t_hes = t["lap"], t["hes"]
    rows.append(f"| Laplacian of a tanh MLP R^{n} -> R (64-64-1) | {t_lap * 1e3:.3g} ms | "
                f"{t_hes * 1e3:.3g} ms (trace(hessian)) | {t_hes / t_lap:.1f}x | >= 3x: "
                f"{'met' if t_hes / t_lap >= 3 else 'not met'} |")

    # 3. linearize once, apply 100 times
    if hasattr(dualgrad, "linearize"):
        g = mlp(200)
        xs = onp.random.default_rng(2).normal(size=200)
        vs = onp.random.default_rng(3).normal(size=(100, 200))

        def lin_100():
            _, f_jvp = dualgrad.linearize(g, xs)
            return [f_jvp(v) for v in vs]

        def jvp_100():
            return [dualgrad.jvp(g, (xs,), (v,))[1] for v in vs]
        assert onp.allclose(lin_100(), jvp_100())
        _, f_jvp = dualgrad.linearize(g, xs)
        by_hand = mlp_jvp_by_hand(g, xs)
        assert onp.allclose([by_hand(v) for v in vs], lin_100())
        t = interleaved_cpu({"lin": lin_100, "jvp": jvp_100,
                             "linearize": lambda: dualgrad.linearize(g, xs),
                             "apply 100": lambda: [f_jvp(v) for v in vs],
                             "by hand 100": lambda: [by_hand(v) for v in vs]},
                            3 if quick else 41)
        t["apply"], t["one jvp"] = t["apply 100"] / 100, t["jvp"] / 100
        ratio = t["jvp"] / t["lin"]
        print(f"linearize {t['linearize'] * 1e3:.3g} ms, one application "
              f"{t['apply'] * 1e6:.3g} us (the same in NumPy by hand "
              f"{t['by hand 100'] * 1e4:.3g} us), one jvp {t['one jvp'] * 1e6:.3g} us "
              "(CPU time)", file=sys.stderr)
        rows.append(f"| linearize, then 100 applications (tanh MLP R^200 -> R; CPU time, "
                    f"interleaved medians) | {t['lin'] * 1e3:.3g} ms "
                    f"({t['linearize'] * 1e3:.2g} ms + 100 x {t['apply'] * 1e6:.2g} us) | "
                    f"{t['jvp'] * 1e3:.3g} ms (100 jvp, {t['one jvp'] * 1e6:.3g} us each) | "
                    f"{ratio:.1f}x | >= 3x: {'met' if ratio >= 3 else 'not met'} |")
    return "\n".join(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.taylor", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    print(main(parser.parse_args().quick))
