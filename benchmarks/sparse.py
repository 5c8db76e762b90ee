"""``python -m benchmarks.sparse [--quick]``: sparse Jacobians and Hessians.

Measured in one run, on one machine:

- the 2-D Brusselator (n = 2 N^2) with a cached pattern, against dense
  ``jacfwd`` and against scipy's finite differences with column grouping
  (``scipy.optimize._numdiff.approx_derivative(..., sparsity=...)``), with the
  error of both against the dense AD Jacobian;
- 1-D and 2-D Laplacian-type stencils up to n = 10^5: colours and time per n;
- the sparse Hessian of the chained Rosenbrock function (star colouring)
  against the dense ``hessian``;
- the cost of detection, in evaluations of the function.

Times are medians of several runs (dense ones, which take seconds, run once).
"""
from __future__ import annotations

import argparse
import functools
import os
import sys
import time

from . import _median_seconds, machine  # sets one BLAS thread before numpy loads

import numpy as onp
import scipy.sparse as sps
from scipy.optimize._numdiff import approx_derivative, group_columns

import dualgrad
import dualgrad.numpy as np
from dualgrad import sparse


# ------------------------------------------------------------------ fields
def brusselator(x, N, alpha=0.02):
    """2-D Brusselator reaction-diffusion on an N x N periodic grid, u and v stacked."""
    u, v = np.reshape(x[:N * N], (N, N)), np.reshape(x[N * N:], (N, N))
    h = 1.0 / (N - 1)

    def lap(w):
        return (np.roll(w, 1, 0) + np.roll(w, -1, 0) + np.roll(w, 1, 1) + np.roll(w, -1, 1)
                - 4.0 * w) / h ** 2
    uuv = u * u * v
    return np.concatenate([np.ravel(1.0 + uuv - 4.4 * u + alpha * lap(u)),
                           np.ravel(3.4 * u - uuv + alpha * lap(v))])


def laplace_1d(x):
    """-u'' + u^3 = 0 with zero boundary values (tridiagonal Jacobian)."""
    xp = np.concatenate([np.zeros(1), x, np.zeros(1)])
    return xp[2:] - 2.0 * x + xp[:-2] - x ** 3


def laplace_2d(x, N):
    """The 5-point Laplacian plus a cubic term on an N x N grid, zero boundary."""
    u = np.pad(np.reshape(x, (N, N)), 1)
    c = u[1:-1, 1:-1]
    return np.ravel(u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:] - 4.0 * c - c ** 3)


def arrowhead(x):
    """A dense row and a dense column: n colours in either mode alone."""
    return np.concatenate([np.sum(x ** 2)[None], x[0] * x[1:] + np.sin(x[1:])])


def rosenbrock(x):
    """The chained Rosenbrock function (tridiagonal Hessian)."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


# ------------------------------------------------------------------ timing
median_time = _median_seconds  # the same warm-up-then-median timing as python -m benchmarks


def once(fn) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _fmt(s: float) -> str:
    return f"{s * 1e3:.3g} ms" if s < 1 else f"{s:.3g} s"


def _point(n, seed=0):
    return onp.random.default_rng(seed).uniform(0.1, 1.0, n)


# ------------------------------------------------------------------ workloads
def brusselator_rows(N: int, repeats: int, rev: bool) -> list[str]:
    f = functools.partial(brusselator, N=N)
    n = 2 * N * N
    x = _point(n)
    J = sparse.jacobian(f)
    t_first, _ = once(lambda: J(x))
    t_sparse = median_time(lambda: J(x), repeats)
    Js = J(x)
    pattern = J.pattern
    groups = group_columns(pattern)
    t_fd = median_time(lambda: approx_derivative(f, x, sparsity=(pattern, groups)), repeats)
    Jfd = approx_derivative(f, x, sparsity=(pattern, groups))
    row = [f"Brusselator N={N} (n={n})", f"{J.choice.colours} ({J.choice.mode})",
           _fmt(t_first), _fmt(t_sparse), _fmt(t_fd), f"{t_fd / t_sparse:.1f}x"]
    chunk = None if n <= 2048 else 1024  # bounds the batched tangents' memory
    t_dense, Jd = once(lambda: onp.asarray(dualgrad.jacfwd(f, chunk_size=chunk)(x)))
    Jd = Jd.reshape(n, n)
    row += [_fmt(t_dense), f"{t_dense / t_sparse:.0f}x"]
    if rev:
        t_rev, _ = once(lambda: dualgrad.jacrev(f)(x))
        row += [_fmt(t_rev), f"{t_rev / t_sparse:.0f}x"]
    else:
        row += ["–", "–"]
    err_ad = onp.max(onp.abs(Js.toarray() - Jd))
    err_fd = onp.max(onp.abs(sps.csr_array(Jfd).toarray() - Jd))
    row += [f"{err_ad:.1e}", f"{err_fd:.1e}"]
    return ["| " + " | ".join(row) + " |"]


def stencil_rows(sizes_1d, sizes_2d, repeats: int) -> list[str]:
    lines = []
    for label, make, sizes in [("1-D 3-point", lambda n: (laplace_1d, n), sizes_1d),
                               ("2-D 5-point", lambda N: (functools.partial(laplace_2d, N=N),
                                                          N * N), sizes_2d)]:
        for s in sizes:
            f, n = make(s)
            x = _point(n)
            J = sparse.jacobian(f)
            t_first, _ = once(lambda: J(x))
            t = median_time(lambda: J(x), repeats)
            lines.append(f"| {label} | {n} | {J.choice.colours} | {_fmt(t_first)} | {_fmt(t)} | "
                         f"{t / n * 1e9:.0f} ns |")
    return lines


def _dense_fits(n: int) -> bool:
    """Dense ``hessian`` at n pushes n directions at once: about 80 n^2 bytes at its
    peak (7.7 GB at n = 10^4). Run it where it fits in half the machine's memory."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return False
    return 80 * n * n < total / 2


def hessian_rows(n_dense: int, n_sparse: int, repeats: int, dense: bool) -> list[str]:
    lines = []
    for n in sorted({n_dense, n_sparse}):
        x = _point(n)
        H = sparse.hessian(rosenbrock)
        t_first, _ = once(lambda: H(x))
        t = median_time(lambda: H(x), repeats)
        cells = [f"| {n} | {H.choice.colours} | {_fmt(t_first)} | {_fmt(t)} |"]
        if dense and (n == n_dense or _dense_fits(n)):
            t_dense, Hd = once(lambda: onp.asarray(dualgrad.hessian(rosenbrock)(x)))
            err = onp.max(onp.abs(H(x).toarray() - Hd))
            cells.append(f" {_fmt(t_dense)} | {t_dense / t:.0f}x | {err:.1e} |")
        else:
            cells.append(" – | – | – |")
        lines.append("".join(cells))
    return lines


def arrowhead_rows(n: int, repeats: int) -> list[str]:
    """The arrowhead by one mode (auto: n passes) and bidirectionally (3)."""
    x = _point(n)
    lines, ref = [], None
    for mode in ("auto", "bi"):
        J = sparse.jacobian(arrowhead, mode=mode)
        t_first, A = once(lambda: J(x))
        t = median_time(lambda: J(x), repeats)
        ref = A if ref is None else ref
        err = abs(A - ref).max() if mode == "bi" else 0.0
        lines.append(f"| {n} | {mode} ({J.choice.mode}) | {J.choice.colours} | {_fmt(t_first)} | "
                     f"{_fmt(t)} | {err:.1e} |")
    return lines


def detection_rows(sizes, repeats: int) -> list[str]:
    """Detection against one plain evaluation and one JVP pass (milliseconds each:
    timed many more times than the other rows)."""
    lines = []
    for N in sizes:
        f = functools.partial(brusselator, N=N)
        n = 2 * N * N
        x = _point(n)
        t_f = median_time(lambda: f(x), repeats * 20)
        t_jvp = median_time(lambda: dualgrad.jvp(f, (x,), (x,)), repeats * 5)
        t_det = median_time(lambda: sparse.jacobian_sparsity(f, x), repeats * 5)
        P = sparse.jacobian_sparsity(f, x)
        t_col = median_time(lambda: sparse.column_colouring(P), max(repeats // 2, 1))
        lines.append(f"| Brusselator n={n} | {_fmt(t_det)} | {t_det / t_f:.1f} | "
                     f"{t_det / t_jvp:.1f} | {_fmt(t_col)} |")
    return lines


def run(quick: bool = False, echo=print) -> str:
    reps = 1 if quick else 7
    out = [f"Machine: {machine()}", ""]
    out += ["| field | colours (mode) | first call (detect + colour + 1 pass) | cached "
            "sparse AD | scipy sparse FD | FD / AD | dense jacfwd | jacfwd / sparse | "
            "dense jacrev | jacrev / sparse | error AD | error FD |", "|" + "---|" * 12]
    for N, rev in ([(4, True)] if quick else [(32, True), (64, False)]):
        echo(f"brusselator N={N}")
        out += brusselator_rows(N, reps, rev)
    out += ["", "| stencil | n | colours | first call | cached call | cached time / n |",
            "|" + "---|" * 6]
    echo("stencils")
    out += stencil_rows([100] if quick else [1000, 10_000, 100_000],
                        [5] if quick else [32, 100, 316], reps)
    out += ["", "| chained Rosenbrock n | star colours | first call | cached sparse hessian | "
            "dense hessian | dense / sparse | error |", "|" + "---|" * 7]
    echo("hessians")
    out += hessian_rows(20 if quick else 2000, 50 if quick else 10_000, reps, True)
    out += ["", "| arrowhead n | mode | passes | first call | cached call | "
            "difference to auto |", "|" + "---|" * 6]
    echo("arrowhead")
    out += arrowhead_rows(30 if quick else 2000, reps)
    out += ["", "| detection | time | in evaluations of f (plain numpy) | in JVP passes | "
            "column colouring |", "|" + "---|" * 5]
    echo("detection")
    out += detection_rows([4] if quick else [32, 64], reps)
    return "\n".join(out)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.sparse", description=__doc__)
    p.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (smoke run)")
    args = p.parse_args(argv)
    print(run(quick=args.quick, echo=lambda s: print(s, file=sys.stderr)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
