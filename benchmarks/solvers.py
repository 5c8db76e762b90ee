"""``python -m benchmarks.solvers [--quick]``: which solver suits a square sparse system.

The steady state of a 2-D Brusselator with a spatially varying feed, F(x) = 0 with
F: R^n -> R^n, n = 2 N^2, solved from the same start by

- Newton's method, each step ``scipy.sparse.linalg.spsolve`` with the Jacobian from
  ``dualgrad.sparse.jacobian`` (the value and the Jacobian from one pass);
- ``scipy.optimize.least_squares`` given that Jacobian (``jac=``, ``tr_solver="lsmr"``);
- ``least_squares`` with finite differences grouped by the pattern (``jac_sparsity=``);
- ``least_squares`` with its default dense finite differences (n evaluations per Jacobian);
- ``scipy.optimize.newton_krylov``, Jacobian-free (finite-difference products).

Every solver is asked for ||F|| <= 1e-8 (least_squares: its tolerances at 1e-12) and
stopped after a budget of evaluations of F. "evaluations" counts every call of F,
those made for finite-difference Jacobians included; a dualgrad Jacobian counts as
one pass, not as evaluations. Times are one run each, on one machine.
"""
from __future__ import annotations

import argparse
import sys
import time

from . import machine  # sets one BLAS thread before numpy loads

import numpy as onp
import scipy.optimize as so
import scipy.sparse.linalg as spla

import dualgrad.numpy as np
from dualgrad import sparse

TOL = 1e-8


def brusselator_steady(x, N, alpha=0.02, B=3.4):
    """The 2-D Brusselator's steady-state residual on an N x N periodic grid, with the
    feed A(x, y) = 1 + 0.5 sin(2 pi x) cos(2 pi y), so the solution is not uniform."""
    g = onp.linspace(0.0, 1.0, N, endpoint=False)
    A = 1.0 + 0.5 * onp.outer(onp.sin(2 * onp.pi * g), onp.cos(2 * onp.pi * g))
    u, v = np.reshape(x[:N * N], (N, N)), np.reshape(x[N * N:], (N, N))
    h = 1.0 / N

    def lap(w):
        return (np.roll(w, 1, 0) + np.roll(w, -1, 0) + np.roll(w, 1, 1) + np.roll(w, -1, 1)
                - 4.0 * w) / h ** 2
    uuv = u * u * v
    return np.concatenate([np.ravel(A + uuv - (B + 1.0) * u + alpha * lap(u)),
                           np.ravel(B * u - uuv + alpha * lap(v))])


def start(N):
    """u = 1, v = B: the uniform state of the mean feed (the natural first guess)."""
    return onp.concatenate([onp.ones(N * N), onp.full(N * N, 3.4)])


class Counted:
    """F in plain numpy, counting its calls; stops a solver past ``budget`` calls."""

    class Exhausted(Exception):
        pass

    def __init__(self, N, budget):
        self.N, self.budget, self.calls = N, budget, 0

    def __call__(self, x):
        self.calls += 1
        if self.calls > self.budget:
            raise Counted.Exhausted
        return onp.asarray(brusselator_steady(onp.asarray(x), self.N))


def newton_spsolve(N, budget):
    F, J = Counted(N, budget), sparse.jacobian(lambda x: brusselator_steady(x, N))
    x, steps, passes = start(N), 0, 0
    value, A = J.value_and_jacobian(x)
    passes += 1
    while onp.linalg.norm(value) > TOL and steps < 100:
        x = x - spla.spsolve(A.tocsc(), value)
        steps += 1
        value, A = J.value_and_jacobian(x)
        passes += 1
    return dict(steps=steps, evals=F.calls, passes=passes,
                extra=f"{J.choice.colours} JVPs per Jacobian"), x


def _least_squares(N, budget, **jac):
    F = Counted(N, budget)
    try:
        res = so.least_squares(F, start(N), xtol=1e-12, ftol=1e-12, gtol=1e-12, **jac)
        return dict(steps=res.njev, evals=F.calls, passes=res.njev if "jac" in jac else 0,
                    extra=res.message), res.x
    except Counted.Exhausted:
        return dict(steps=None, evals=F.calls, passes=0,
                    extra=f"stopped: budget of {budget} evaluations"), None


def lsq_dualgrad(N, budget):
    J = sparse.jacobian(lambda x: brusselator_steady(x, N))
    return _least_squares(N, budget, jac=lambda x: J(x), tr_solver="lsmr")


def lsq_fd_sparsity(N, budget):
    pattern = sparse.jacobian_sparsity(lambda x: brusselator_steady(x, N), start(N))
    return _least_squares(N, budget, jac_sparsity=pattern)


def lsq_fd_dense(N, budget):
    return _least_squares(N, budget)


def newton_krylov(N, budget):
    F = Counted(N, budget)
    try:
        # f_tol bounds the largest |F_i|; TOL / sqrt(n) makes ||F||_2 <= TOL
        x = so.newton_krylov(F, start(N), f_tol=TOL / onp.sqrt(2 * N * N), maxiter=200)
        return dict(steps=None, evals=F.calls, passes=0, extra="Jacobian-free"), x
    except Counted.Exhausted:
        return dict(steps=None, evals=F.calls, passes=0,
                    extra=f"stopped: budget of {budget} evaluations"), None
    except so.NoConvergence as e:
        return dict(steps=None, evals=F.calls, passes=0, extra="no convergence"), e.args[0]


SOLVERS = [("Newton + spsolve, dualgrad sparse Jacobian", newton_spsolve),
           ("least_squares, jac = dualgrad sparse Jacobian", lsq_dualgrad),
           ("least_squares, FD with jac_sparsity", lsq_fd_sparsity),
           ("least_squares, dense FD (default)", lsq_fd_dense),
           ("newton_krylov (Jacobian-free)", newton_krylov)]


def run(quick: bool = False, echo=print) -> str:
    N = 8 if quick else 32
    budget = 2_000 if quick else 25_000
    out = [f"Machine: {machine()}", "",
           f"2-D Brusselator steady state, N = {N} (n = {2 * N * N}), start u = 1, v = 3.4, "
           f"target ||F|| <= {TOL:g}, budget {budget} evaluations of F.", "",
           "| solver | Newton steps / Jacobians | evaluations of F | dualgrad Jacobian passes "
           "| time | final ‖F‖ | converged | note |", "|" + "---|" * 8]
    for name, solve in SOLVERS:
        echo(name)
        t = time.perf_counter()
        info, x = solve(N, budget)
        seconds = time.perf_counter() - t
        res = (onp.linalg.norm(onp.asarray(brusselator_steady(x, N))) if x is not None
               else float("nan"))
        out.append(f"| {name} | {info['steps'] if info['steps'] is not None else '-'} | "
                   f"{info['evals']} | {info['passes']} | {seconds:.3g} s | {res:.2g} | "
                   f"{'yes' if res <= TOL else 'no'} | {info['extra']} |")
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.solvers", description=__doc__)
    p.add_argument("--quick", action="store_true", help="N = 8, a small budget (smoke run)")
    args = p.parse_args(argv)
    print(run(quick=args.quick, echo=lambda s: print(s, file=sys.stderr)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
