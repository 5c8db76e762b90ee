"""Run one of autograd's example scripts, shortened, and record its final numbers.

``python example_runner.py SCRIPT RESULT.json`` (under ``python -m
dualgrad.autograd_alias`` to run it on dualgrad) runs ``SCRIPT`` as
``__main__`` and writes to ``RESULT.json`` every number the script left in
its global variables (floats, arrays, and those inside tuples, lists, dicts
and scipy's ``OptimizeResult``), keyed by name. The script is not edited;
the harness shortens it from outside:

- the optimizers of ``autograd.misc.optimizers`` (adam, sgd, rmsprop) run at
  most ``$EXAMPLE_ITERS`` iterations (default 20), and ``scipy.optimize.minimize``
  at most that many (its ``maxiter`` option);
- matplotlib uses the Agg backend; ``plt.show``/``plt.pause``/``plt.draw`` do
  nothing (``pause`` would otherwise sleep on every callback);
- numpy's global random state is seeded (0) for the scripts that do not seed it.
"""
from __future__ import annotations

import functools
import inspect
import json
import os
import runpy
import sys

import numpy

ITERS = int(os.environ.get("EXAMPLE_ITERS", "20"))
MAX_NUMBERS = 200  # per variable: enough to compare, small enough to store


def _quiet_matplotlib() -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    for name in ("show", "pause", "draw"):
        setattr(plt, name, lambda *a, **k: None)


def _capped(fun, param: str, cap):
    """``fun`` with its keyword argument ``param`` replaced by ``cap(value or None)``
    (the examples pass iteration counts by keyword; autograd's optimizers take
    them through ``**kwargs``)."""
    @functools.wraps(fun)
    def capped(*args, **kwargs):
        kwargs[param] = cap(kwargs.get(param))
        return fun(*args, **kwargs)
    return capped


def _shorten_optimizers() -> None:
    import autograd.misc.optimizers as opt
    for name in ("adam", "sgd", "rmsprop"):
        if hasattr(opt, name):  # both libraries' default is 100 iterations
            setattr(opt, name, _capped(getattr(opt, name), "num_iters",
                                       lambda n: min(100 if n is None else n, ITERS)))
    import scipy.optimize

    def options(o):
        o = dict(o or {})
        o["maxiter"] = min(o.get("maxiter", ITERS), ITERS)
        return o
    scipy.optimize.minimize = _capped(scipy.optimize.minimize, "options", options)


def numbers(value, depth: int = 0):
    """The numbers in ``value`` as a flat list of floats, or None if it holds none."""
    if depth > 4:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, numpy.integer, numpy.floating)):
        return [float(value)]
    if isinstance(value, (complex, numpy.complexfloating)):
        return [float(value.real), float(value.imag)]
    if isinstance(value, numpy.ndarray) and value.dtype.kind in "biufc":
        flat = numpy.asarray(value, dtype=complex if value.dtype.kind == "c" else float).ravel()
        if flat.dtype.kind == "c":
            flat = numpy.concatenate([flat.real, flat.imag])
        return flat[:MAX_NUMBERS].tolist()
    if isinstance(value, dict):
        items = [numbers(v, depth + 1) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
                 if not str(k).startswith("_")]
    elif isinstance(value, (tuple, list)):
        items = [numbers(v, depth + 1) for v in value[:MAX_NUMBERS]]
    else:
        return None
    out = [x for item in items if item is not None for x in item]
    return out[:MAX_NUMBERS] if out else None


def main(script: str, result: str) -> None:
    _quiet_matplotlib()
    _shorten_optimizers()
    numpy.random.seed(0)
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    sys.argv = [script]
    names = runpy.run_path(script, run_name="__main__")
    found = {}
    for name, value in names.items():
        if name.startswith("__") or inspect.ismodule(value) or callable(value):
            continue
        nums = numbers(value)
        if nums is not None:
            found[name] = nums
    with open(result, "w") as f:
        json.dump(found, f)


if __name__ == "__main__":
    main(*sys.argv[1:3])
