"""``python -m benchmarks.jit_interleaved``: the jit rows of ``python -m benchmarks``
(``benchmarks/jit.py``) measured alone, interleaved (each round calls every
implementation once, a short call right after an untimed one of its own, as
``benchmarks.interleaved`` does) and in CPU time, which other work on a shared machine
disturbs less than the wall clock. Prints a table of medians and the ratios the targets
are about.
"""
from __future__ import annotations

from . import interleaved as _interleaved
from .jit import STEPS, chain_value_and_grad, fixed_cost, small_mlp, weibull_fit


def interleaved(rounds_scale: float = 1.0, quick: bool = False) -> str:
    """The jit rows as a table of interleaved CPU-time medians (``quick``: tiny sizes,
    three rounds, a smoke run whose figures mean nothing)."""
    lines = ["| workload | dualgrad | dualgrad jit | autograd 1.9.1 | numpy | eager / jit | "
             "autograd / jit |", "|---|---|---|---|---|---|---|"]
    rows = [("fixed cost of a `grad` call, sum(2x) on 100 floats", fixed_cost, 2000, 1),
            ("scalar chain value_and_grad, per op (3000 ops)", chain_value_and_grad, 15,
             3 * STEPS),
            ("small MLP 32-64-64-10 value_and_grad", small_mlp, 300, 1),
            ("Weibull AFT fit, scipy minimize(jac=True)", weibull_fit, 15, 1)]
    for name, setup, rounds, per in rows:
        fns = setup(quick)
        times = _interleaved(fns, 3 if quick else max(3, int(rounds * rounds_scale)))
        m = {k: v / per for k, v in times.items()}
        cell = lambda k: f"{m[k] * 1e6:.3g} us" if k in m else "–"
        ag = f"{m['autograd'] / m['jit']:.1f}x" if "autograd" in m else "–"
        lines.append(f"| {name} | {cell('dualgrad')} | {cell('jit')} | {cell('autograd')} | "
                     f"{cell('numpy')} | {m['dualgrad'] / m['jit']:.1f}x | {ag} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(interleaved())
