"""Peak memory of reverse mode: dualgrad, autograd and a hand-written NumPy backward pass.

``python -m benchmarks.memory`` (``--quick`` for a tiny smoke run, ``--only TEXT``
for some chains) runs every chain below once per implementation, each in a fresh
Python process, and prints a markdown table of peak resident memory
(``peak_rss_mb``: imports, inputs, the forward pass, the tape and the backward
pass). The hand-written backward pass keeps exactly what the chain
rule needs, so it is the minimum a tape can reach. The three gradients are
compared, so a figure never comes from a wrong answer. Each child is a script
run (not ``-m benchmarks.memory``), so it imports only its own library, and both
libraries are loaded from compiled bytecode, as an installed package is (pip
compiles autograd's at install; an editable dualgrad on a machine with
PYTHONDONTWRITEBYTECODE would otherwise be compiled from source in every child,
about 2 MB more).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

N = 10 ** 7       # floats per activation
LAYERS = 20       # elementwise chains
WIDTH = 100       # MLP and matmul network: activations are (N // WIDTH, WIDTH)
MLP_LAYERS, MATMUL_LAYERS = 4, 10


# ----------------------------------------------------------------- the chains
# Each chain: inputs(n) -> tuple of arrays; loss(np, *inputs) written once for
# dualgrad.numpy and autograd.numpy; by_hand(*inputs) -> the gradient in numpy.
def _x(onp, n):
    return (onp.linspace(0.1, 0.9, n),)


def sin_loss(np, x):
    for _ in range(LAYERS):
        x = np.sin(x)
    return np.sum(x)


def sin_by_hand(onp, x):
    kept = []                     # the chain rule needs each sin's input
    for _ in range(LAYERS):
        kept.append(x)
        x = onp.sin(x)
    del x
    g = 1.0                       # d sum / d x_L: a scalar, no array yet
    while kept:
        c = onp.cos(kept.pop())   # the popped input is freed as soon as cos is done
        c *= g
        g = c
    return (g,)


def sin_c_loss(np, x):
    for _ in range(LAYERS):
        x = np.sin(x) * 1.01
    return np.sum(x)


def sin_c_by_hand(onp, x):
    kept = []
    for _ in range(LAYERS):
        kept.append(x)
        x = onp.sin(x) * 1.01
    del x
    g = 1.0
    while kept:
        c = onp.cos(kept.pop())
        c *= g
        c *= 1.01
        g = c
    return (g,)


def exp_loss(np, x):
    for _ in range(LAYERS):
        x = np.exp(-x)
    return np.sum(x)


def exp_by_hand(onp, x):
    kept = []                     # exp's derivative is its answer
    for _ in range(LAYERS):
        x = onp.negative(x)
        onp.exp(x, out=x)
        kept.append(x)
    del x
    g = 1.0
    while kept:
        e = kept.pop()            # d exp(-x) / dx = -exp(-x), computed in e's own buffer
        e *= g
        onp.negative(e, out=e)
        g = e
    return (g,)


def _xy(onp, n):
    return onp.linspace(0.1, 0.9, n), onp.linspace(0.95, 1.05, n)


def mul_loss(np, x, y):
    for _ in range(LAYERS):
        x = x * y
    return np.sum(x)


def mul_by_hand(onp, x, y):
    kept = []                     # both factors: x_k for y's derivative, y for x's
    for _ in range(LAYERS):
        kept.append(x)
        x = x * y
    del x
    g, gy = 1.0, None
    while kept:
        t = kept.pop() * g
        if gy is None:
            gy = t
        else:
            gy += t
        del t
        g = g * y if type(g) is float else onp.multiply(g, y, out=g)
    return g, gy


def _mlp_inputs(onp, n, layers):
    rng = onp.random.default_rng(0)
    x = rng.standard_normal((n // WIDTH, WIDTH))
    ws = [rng.standard_normal((WIDTH, WIDTH)) / onp.sqrt(WIDTH) for _ in range(layers)]
    bs = [onp.zeros(WIDTH) for _ in range(layers)]
    return (x, ws, bs)


def mlp_inputs(onp, n):
    return _mlp_inputs(onp, n, MLP_LAYERS)


def mlp_loss(np, x, ws, bs):
    h = x
    for w, b in zip(ws, bs):
        h = np.tanh(h @ w + b)
    return np.sum(h ** 2)


def _mlp_by_hand(onp, x, ws, bs):
    hs = [x]
    for w, b in zip(ws, bs):
        hs.append(onp.tanh(hs[-1] @ w + b))
    a = hs.pop()
    g = 2 * a
    gws, gbs = [None] * len(ws), [None] * len(ws)
    for k in range(len(ws) - 1, -1, -1):
        g *= 1 - a * a                # tanh' = 1 - tanh^2, from the kept output
        del a
        h = hs.pop()
        gws[k], gbs[k] = h.T @ g, g.sum(0)
        if k:
            g = g @ ws[k].T
            a = h
        del h
    return x, gws, gbs               # x's gradient is not asked for


def relu_mlp_loss(np, x, ws, bs):
    h = x
    for w, b in zip(ws, bs):
        h = np.maximum(h @ w + b, 0.0)
    return np.sum(h ** 2)


def _relu_mlp_by_hand(onp, x, ws, bs):
    hs, masks = [x], []
    for w, b in zip(ws, bs):
        z = hs[-1] @ w
        z += b
        masks.append(z > 0)           # relu' as a boolean mask: 1 byte an element
        onp.maximum(z, 0.0, out=z)
        hs.append(z)
        del z
    g = 2 * hs.pop()
    gws, gbs = [None] * len(ws), [None] * len(ws)
    for k in range(len(ws) - 1, -1, -1):
        g *= masks.pop()
        h = hs.pop()
        gws[k], gbs[k] = h.T @ g, g.sum(0)
        del h
        if k:
            g = g @ ws[k].T
    return x, gws, gbs


def matmul_inputs(onp, n):
    x, ws, _ = _mlp_inputs(onp, n, MATMUL_LAYERS)
    return (x, ws)


def matmul_loss(np, x, ws):
    h = x
    for w in ws:
        h = h @ w
    return np.sum(h)


def matmul_by_hand(onp, x, ws):
    hs = [x]
    for w in ws:
        hs.append(hs[-1] @ w)
    del hs[-1]
    # d sum / d h_L is all ones: every row of each cotangent is one row g
    g = onp.ones((1, WIDTH))
    gws = [None] * len(ws)
    for k in range(len(ws) - 1, -1, -1):
        h = hs.pop()
        gws[k] = h.sum(0)[:, None] * g   # h^T (1 g) = (column sums of h) g
        del h
        if k:
            g = g @ ws[k].T
    return x, gws


# name: (inputs, loss, by_hand, argnums differentiated, elementwise?)
CHAINS = {
    "sin": (_x, sin_loss, sin_by_hand, (0,), True),
    "sin * c": (_x, sin_c_loss, sin_c_by_hand, (0,), True),
    "exp": (_x, exp_loss, exp_by_hand, (0,), True),
    "x * y (both traced)": (_xy, mul_loss, mul_by_hand, (0, 1), True),
    "tanh MLP (4 layers)": (mlp_inputs, mlp_loss, _mlp_by_hand, (1, 2), False),
    "relu MLP (4 layers)": (mlp_inputs, relu_mlp_loss, _relu_mlp_by_hand, (1, 2), False),
    "matmul network (10 layers)": (matmul_inputs, matmul_loss, matmul_by_hand, (1,), False),
}
IMPLS = ("dualgrad", "autograd", "numpy by hand")


def gradient(chain: str, impl: str, n: int):
    """The gradient of ``chain`` (a tuple, one entry per differentiated input)."""
    import numpy as onp
    make, loss, by_hand, argnums, _ = CHAINS[chain]
    inputs = make(onp, n)
    if impl == "numpy by hand":
        out = by_hand(onp, *inputs)
        return tuple(out[i] for i in argnums)
    if impl == "dualgrad":
        import dualgrad as lib
        import dualgrad.numpy as np
    else:
        import autograd as lib
        import autograd.numpy as np
    g = lib.grad(lambda *a: loss(np, *a), argnum=argnums if len(argnums) > 1 else argnums[0])
    out = g(*inputs)
    return out if len(argnums) > 1 else (out,)


def _fingerprint(grads) -> list:
    """One number per gradient array (nested lists and tuples walked in order)."""
    import numpy as onp
    if isinstance(grads, (list, tuple)):
        return [v for g in grads for v in _fingerprint(g)]
    return [float(onp.sum(onp.abs(grads)))]


def _status_mb(key: str) -> float | None:
    """A ``/proc/self/status`` memory field in MB (Linux; None elsewhere)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """This process's peak resident memory. On Linux, VmHWM of /proc/self/status:
    ``ru_maxrss`` would do, but Linux carries it over from the parent across
    fork and exec, so a child would report at least its parent's size."""
    peak = _status_mb("VmHWM")
    if peak is not None:
        return peak
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2 ** 20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS


def _rss_mb() -> float:
    """Resident memory now (Linux; 0 elsewhere)."""
    return _status_mb("VmRSS") or 0.0


def _child(chain: str, impl: str, n: int) -> None:
    import numpy  # noqa: F401
    if impl != "numpy by hand":
        __import__(f"{impl}.numpy")
    base = _rss_mb()  # after the imports: what the library's code costs, before any array
    grads = gradient(chain, impl, n)
    print(json.dumps({"peak_mb": peak_rss_mb(), "base_mb": base,
                      "fingerprint": _fingerprint(grads)}))


def measure(chain: str, impl: str, n: int = N) -> dict:
    """Run one case in a fresh process: {"peak_mb": ..., "fingerprint": [...]}."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
    # run as a script, not as benchmarks.memory: the package would import every library
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", chain, impl,
                          str(n)], capture_output=True, text=True, env=env, cwd=root)
    if out.returncode:
        raise RuntimeError(f"{chain} / {impl} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _agree(a, b) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= 1e-6 * max(abs(x), abs(y), 1e-300)
                                    for x, y in zip(a, b))


def table(results: dict) -> str:
    """Markdown: one row per chain, peak MB per implementation and the two ratios."""
    lines = ["| grad of, on 10^7 float64 | dualgrad | autograd 1.9.1 | numpy by hand | "
             "dualgrad / autograd | dualgrad / by hand | same, above the imports |",
             "|---|---|---|---|---|---|---|"]
    for chain, r in results.items():
        d, a, h = (r.get(i, {}).get("peak_mb") for i in IMPLS)
        da, aa, ha = ((r[i]["peak_mb"] - r[i]["base_mb"]) if i in r else None for i in IMPLS)
        cell = lambda v: "–" if v is None else f"{v:.0f} MB"
        ratio = lambda u, v: "–" if u is None or v is None else f"{u / v:.2f}x"
        lines.append(f"| {chain} | {cell(d)} | {cell(a)} | {cell(h)} | {ratio(d, a)} | "
                     f"{ratio(d, h)} | {ratio(da, aa)}, {ratio(da, ha)} |")
    return "\n".join(lines)


def _compile(impls) -> None:
    """Bytecode for the libraries the children import (see the module docstring)."""
    import compileall
    import importlib.util
    for impl in impls:
        spec = importlib.util.find_spec(impl) if impl != "numpy by hand" else None
        if spec and spec.submodule_search_locations:
            for where in spec.submodule_search_locations:
                compileall.compile_dir(where, quiet=1)


def run(n: int = N, only: str | None = None, echo=print) -> dict:
    try:
        import autograd  # noqa: F401
        impls = IMPLS
    except ImportError:
        impls = ("dualgrad", "numpy by hand")
    _compile(impls)
    results = {}
    for chain in CHAINS:
        if only and only.lower() not in chain.lower():
            continue
        results[chain] = {impl: measure(chain, impl, n) for impl in impls}
        prints = [r["fingerprint"] for r in results[chain].values()]
        if not all(_agree(prints[0], p) for p in prints[1:]):
            raise AssertionError(f"{chain}: the implementations disagree: {prints}")
        echo(f"  done: {chain}")
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10^4 floats (a smoke run)")
    parser.add_argument("--only", help="run only the chains whose name contains this text")
    parser.add_argument("--child", nargs=3, metavar=("CHAIN", "IMPL", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    n = 10 ** 4 if args.quick else N
    results = run(n, args.only, echo=lambda s: print(s, file=sys.stderr))
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
