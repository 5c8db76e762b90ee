"""Benchmarks: dualgrad (eager and ``jit``) against autograd, PyTorch and JAX (eager
and ``jax.jit``, where installed) and hand-written numpy (the floor).

Run ``python -m benchmarks`` (``--quick`` for a tiny smoke run). Each workload runs
every implementation in the same process, interleaved: after two warm-up calls each
(the jit traces, jax compiles), every round calls each implementation once, in an
order reversed every other round, and times it in CPU time (``time.process_time``),
which other work on a shared machine disturbs less than the wall clock. A call under
0.1 s is timed warm, right after an untimed call of its own (``REWARM_BELOW``). The
table shows the medians and the ratio the issue's target is about.
"""
from __future__ import annotations

import os

# One BLAS thread, as in the measurements (and steadier on a shared
# machine); set before numpy is imported. An explicit setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import platform
import statistics
import time

import numpy as onp

from . import peers
from .workloads import WORKLOADS, Workload

__all__ = ["run", "run_workload", "table", "machine", "WORKLOADS", "COLUMNS"]

# the implementations, as columns of the table (the numpy floor and its extras after)
COLUMNS = [("dualgrad", "dualgrad"), ("jit", "dualgrad jit"), ("autograd", "autograd"),
           ("torch", "torch"), ("jax", "jax"), ("jax.jit", "jax.jit")]


def _median_seconds(fn, repeats: int) -> float:
    """The wall-clock median of ``repeats`` calls after one warm-up (benchmarks.sparse)."""
    fn()  # warm up (imports, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# A call shorter than this gets an untimed call of its own right before each timed
# one: the implementation called before it (autograd's 1000 VJPs, a 64 MB numpy
# sum alike) evicts its code and data from the CPU caches, and the first call back
# pays for them again (dualgrad's jacobian R^10 -> R^1000: 0.36 ms warm, 0.72 ms
# right after autograd's). Longer calls are dominated by their own work.
REWARM_BELOW = 0.1  # CPU seconds, of the second warm-up call


def interleaved(fns: dict, rounds: int) -> dict:
    """CPU-time medians of the callables in ``fns``, measured in rounds (each round
    calls each once; the order is reversed every other round), after two warm-ups.
    Each round shares the machine's load of the moment among the implementations;
    a short call (under ``REWARM_BELOW``) is timed warm, after an untimed call of
    its own, so that the figure is the steady cost of a call in a loop, not the
    refill of the caches the previous implementation emptied."""
    short = {}
    for k, fn in fns.items():
        fn()
        t0 = time.process_time()
        fn()
        short[k] = time.process_time() - t0 < REWARM_BELOW
    times: dict = {k: [] for k in fns}
    names = list(fns)
    for r in range(rounds):
        for k in (names if r % 2 == 0 else names[::-1]):
            fn = fns[k]
            if short[k]:
                fn()
            t0 = time.process_time()
            fn()
            times[k].append(time.process_time() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def run_workload(w: Workload, quick: bool = False, repeats: int | None = None) -> dict:
    """Medians per implementation: CPU seconds, or bytes for the memory workload."""
    fns = w.setup(quick)
    reps = repeats if repeats is not None else (1 if quick else w.repeats)
    if w.setup.__name__ == "reverse_peak_memory":
        return {name: float(statistics.median(fn() for _ in range(reps)))
                for name, fn in fns.items()}
    return interleaved(fns, reps)


def _fmt(w: Workload, v) -> str:
    if v is None:
        return "–"
    if w.setup.__name__ == "reverse_peak_memory":
        return f"{v / 2 ** 20:.0f} MB"
    v = v / w.per  # per call or per operation
    if v < 1e-3:
        return f"{v * 1e6:.3g} us"
    return f"{v * 1e3:.3g} ms" if v < 10 else f"{v:.3g} s"


def _headers() -> list[str]:
    have = peers.versions()
    out = []
    for key, label in COLUMNS:
        if key == "autograd":
            label = "autograd 1.9.1"
        elif key in ("torch", "jax"):
            label = f"{key} {have[key]}" if key in have else f"{key} (not installed)"
        out.append(label)
    return out


def table(results: list[tuple[Workload, dict]]) -> str:
    heads = _headers() + ["numpy (floor)", "floor is", "figure", "target", "met"]
    lines = ["| workload | " + " | ".join(heads) + " |", "|---" * (len(heads) + 1) + "|"]
    known = {k for k, _ in COLUMNS} | {"numpy"}
    for w, t in results:
        figure, met = w.check(t)
        numpy_cell = _fmt(w, t.get("numpy"))
        extras = [(k.removeprefix("numpy "), v) for k, v in t.items() if k not in known]
        if extras:  # e.g. numpy grad by hand, the minimal tape
            numpy_cell += f" ({'; '.join(f'{k} {_fmt(w, v)}' for k, v in extras)})"
        fig = "–" if figure is None else f"{figure:.3g}{' us' if w.unit == 'us' else 'x'}"
        cells = [_fmt(w, t.get(k)) for k, _ in COLUMNS]
        lines.append(f"| {w.name} | {' | '.join(cells)} | {numpy_cell} | {w.numpy_label} | "
                     f"{fig} | {w.target} | {'–' if met is None else ('yes' if met else 'no')} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    have = "".join(f", {k} {v}" for k, v in peers.versions().items())
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"numpy {onp.__version__}{have}, BLAS threads "
            f"{os.environ.get('OPENBLAS_NUM_THREADS')}; CPU-time medians, interleaved")


def run(quick: bool = False, only: str | None = None, echo=print) -> str:
    results = []
    for w in WORKLOADS:
        if only and only.lower() not in w.name.lower():
            continue
        results.append((w, run_workload(w, quick)))
        echo(f"  done: {w.name}")
    return table(results)
