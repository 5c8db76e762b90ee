"""``python -m benchmarks.taylor [--quick]``: Taylor mode against nesting.

Measured in one run, on one machine, median of several runs:

- the 10th derivative of a 50-primitive scalar chain: ``derivatives(f, order=10)``
  (one Taylor pass) against ten nested ``deriv`` (forward mode over forward mode,
  about 2^10 dual operations per primitive), with the error of both against
  mpmath at 30 digits;
- the Laplacian of a tanh MLP f: R^n -> R at n = 1000: ``laplacian`` (collapsed
  Taylor mode) against ``trace(hessian(f))`` (forward over reverse, n HVPs
  batched);
- ``linearize`` once and its linear map applied 100 times, against 100 ``jvp``
  calls (re-running f each time).
"""
from __future__ import annotations

import argparse
import sys

from . import _median_seconds, machine  # sets one BLAS thread before numpy loads

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
    return f


def main(quick=False):
    print(f"Machine: {machine()}", file=sys.stderr)
    repeats = 1 if quick else 5
    rows = ["| workload | Taylor mode | nested / dense | ratio | target |", "|---|---|---|---|---|"]

    # 1. the 10th derivative of a 50-primitive chain
    K = 4 if quick else 10
    x0 = 0.3
    mpmath.mp.dps = 30
    want = float(mpmath.diff(_mp_chain, mpmath.mpf(x0), K))
    t_jet = _median_seconds(lambda: dualgrad.derivatives(scalar_chain, order=K)(x0), repeats)
    got_jet = dualgrad.derivatives(scalar_chain, order=K)(x0)[K]
    dk = nested(scalar_chain, K)
    t_nest = _median_seconds(lambda: dk(x0), 1)
    got_nest = dk(x0)
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
    t_lap = _median_seconds(lambda: lap(x), repeats)
    t_hes = _median_seconds(lambda: onp.trace(H(x)), repeats)
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
        t_lin = _median_seconds(lin_100, repeats)
        t_jvp = _median_seconds(jvp_100, repeats)
        rows.append(f"| linearize, then 100 applications (tanh MLP R^200 -> R) | "
                    f"{t_lin * 1e3:.3g} ms | {t_jvp * 1e3:.3g} ms (100 jvp) | "
                    f"{t_jvp / t_lin:.1f}x | >= 3x: {'met' if t_jvp / t_lin >= 3 else 'not met'} |")
    return "\n".join(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.taylor", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    print(main(parser.parse_args().quick))
