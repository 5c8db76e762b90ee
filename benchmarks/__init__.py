"""Benchmarks: dualgrad against autograd and hand-written numpy.

Run ``python -m benchmarks`` (``--quick`` for a tiny smoke run). Each
workload runs every implementation in the same process, several times, and
the table shows medians and the ratio the issue's target is about.
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

from .workloads import WORKLOADS, Workload

__all__ = ["run", "run_workload", "table", "machine", "WORKLOADS"]


def _median_seconds(fn, repeats: int) -> float:
    fn()  # warm up (imports, caches)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run_workload(w: Workload, quick: bool = False, repeats: int | None = None) -> dict:
    """Medians per implementation: seconds, or bytes for the memory workload."""
    fns = w.setup(quick)
    reps = repeats if repeats is not None else (1 if quick else w.repeats)
    out = {}
    for name, fn in fns.items():
        if w.setup.__name__ == "reverse_peak_memory":
            out[name] = float(statistics.median(fn() for _ in range(reps)))
        else:
            out[name] = _median_seconds(fn, reps)
    return out


def _fmt(w: Workload, v) -> str:
    if v is None:
        return "–"
    if w.setup.__name__ == "reverse_peak_memory":
        return f"{v / 2 ** 20:.0f} MB"
    if v < 1e-3:
        return f"{v * 1e6:.3g} us"
    return f"{v * 1e3:.3g} ms" if v < 10 else f"{v:.3g} s"


def table(results: list[tuple[Workload, dict]]) -> str:
    lines = ["| workload | dualgrad | dualgrad jit | autograd 1.9.1 | numpy | numpy is | figure | "
             "target | met |", "|---|---|---|---|---|---|---|---|---|"]
    for w, t in results:
        figure, met = w.check(t)
        numpy_cell = _fmt(w, t.get("numpy"))
        extras = [(k.removeprefix("numpy "), v) for k, v in t.items()
                  if k not in ("dualgrad", "jit", "autograd", "numpy")]  # e.g. numpy grad by hand
        if extras:
            numpy_cell += f" ({'; '.join(f'{k} {_fmt(w, v)}' for k, v in extras)})"
        fig = "–" if figure is None else f"{figure:.3g}{' us' if w.unit == 'us' else 'x'}"
        lines.append(f"| {w.name} | {_fmt(w, t['dualgrad'])} | {_fmt(w, t.get('jit'))} | "
                     f"{_fmt(w, t.get('autograd'))} | "
                     f"{numpy_cell} | {w.numpy_label} | {fig} | {w.target} | "
                     f"{'–' if met is None else ('yes' if met else 'no')} |")
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
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"numpy {onp.__version__}, BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS')}")


def run(quick: bool = False, only: str | None = None, echo=print) -> str:
    results = []
    for w in WORKLOADS:
        if only and only.lower() not in w.name.lower():
            continue
        results.append((w, run_workload(w, quick)))
        echo(f"  done: {w.name}")
    return table(results)
