"""Out-of-core gradients on a dask.distributed cluster.

``python -m benchmarks.dask_outofcore [--gb 8] [--workers 2] [--memory-limit 1GB]``

The gradient of a least-squares loss, 0.5 mean((X w - y)^2), over a data set
several times larger than the workers' memory: X (n x d float64) and y are
generated chunk by chunk by ``dask.array.random`` and never held whole. Each
phase runs on a fresh ``LocalCluster`` (worker processes on loopback, each
with a memory limit):

1. Dask's own forward evaluation of the loss (plain dask.array code);
2. ``dualgrad.grad`` of the same loss, written with ``dualgrad.numpy``;
3. dask's hand-written gradient X^T (X w - y) / n, for reference (written as
   sum((X w - y)[:, None] * X, axis=0) / n, which dask computes chunk by chunk).

Reported: wall time (graph building + compute), the gradient's cost as a
multiple of the forward evaluation (the cheap-gradient bound is 3x), each
worker's peak resident memory (``ru_maxrss``, read in every worker process at
the end of its phase) against its limit, and whether any worker was restarted
(the nanny kills a worker that passes 95% of its limit).
"""
from __future__ import annotations

import argparse
import resource
import time

import numpy as onp


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux


def _data(gb: float, d: int, chunk_mb: float, seed: int = 0):
    import dask.array as da
    n = int(gb * 2 ** 30 / 8 / d)
    rows = max(1, int(chunk_mb * 2 ** 20 / 8 / d))
    rng = da.random.default_rng(seed)
    X = rng.standard_normal((n, d), chunks=(rows, d))
    w_true = onp.linspace(-1.0, 1.0, d)
    y = X @ w_true + 0.1 * rng.standard_normal(n, chunks=rows)
    return X, y


def _forward_dask(w, X, y):
    return 0.5 * ((X @ w - y) ** 2).mean()


def _grad_by_hand(w, X, y):
    return ((X @ w - y)[:, None] * X).sum(axis=0) / X.shape[0]  # chunk by chunk


def _grad_dualgrad(w, X, y):
    import dualgrad.numpy as np
    from dualgrad import grad

    def loss(w):
        return 0.5 * np.mean((X @ w - y) ** 2)
    return grad(loss)(w)


def _phase(build, args, limit: str) -> dict:
    """Time ``build(...)`` plus its compute on a fresh cluster; read the workers' peaks."""
    from distributed import Client, LocalCluster
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None, memory_limit=limit) as cluster, \
            Client(cluster) as client:
        client.run(lambda: None)  # workers up before the clock starts
        before = set(client.scheduler_info()["workers"])
        X, y = _data(args.gb, args.d, args.chunk_mb)
        w = onp.full(args.d, 0.1)
        t0 = time.perf_counter()
        out = client.compute(build(w, X, y)).result()
        seconds = time.perf_counter() - t0
        peaks = client.run(_peak_rss)
        after = set(client.scheduler_info()["workers"])
    return {"seconds": seconds, "value": onp.asarray(out), "peaks": list(peaks.values()),
            "restarted": before != after, "n": X.shape[0], "chunks": X.numblocks[0],
            "chunk_mb": X.nbytes / X.numblocks[0] / 2 ** 20}


def _fmt_gb(b: float) -> str:
    return f"{b / 2 ** 30:.2f} GB"


def main(argv=None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.dask_outofcore", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--gb", type=float, default=8.0, help="size of X in GB (default 8)")
    p.add_argument("--d", type=int, default=100, help="number of features (default 100)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--memory-limit", default="1GiB", help="per worker (default 1GiB)")
    p.add_argument("--chunk-mb", type=float, default=64.0, help="MB per chunk of X")
    args = p.parse_args(argv)
    from dask.utils import parse_bytes
    limit = parse_bytes(args.memory_limit)
    phases = {"dask forward (the loss)": _forward_dask,
              "dualgrad grad": _grad_dualgrad,
              "dask gradient by hand": _grad_by_hand}
    res = {name: _phase(f, args, args.memory_limit) for name, f in phases.items()}
    fwd = res["dask forward (the loss)"]["seconds"]
    r = next(iter(res.values()))
    print(f"X: {r['n']:,} x {args.d} float64 = {args.gb:g} GB in {r['chunks']} chunks of "
          f"{r['chunk_mb']:.0f} MB; {args.workers} workers x 1 thread, memory limit "
          f"{_fmt_gb(limit)} each ({args.gb * 2 ** 30 / (limit * args.workers):.1f}x the "
          "cluster's memory)\n")
    print("| phase | time | / forward | peak worker memory | limit | restarts |")
    print("|---|---|---|---|---|---|")
    for name, v in res.items():
        peak = max(v["peaks"])
        print(f"| {name} | {v['seconds']:.1f} s | {v['seconds'] / fwd:.2f}x | "
              f"{_fmt_gb(peak)} | {_fmt_gb(limit)} | {'yes' if v['restarted'] else 'none'} |")
    g, ref = res["dualgrad grad"]["value"], res["dask gradient by hand"]["value"]
    err = float(onp.max(onp.abs(g - ref)) / onp.max(onp.abs(ref)))
    ok = all(max(v["peaks"]) < limit and not v["restarted"] for v in res.values())
    ratio = res["dualgrad grad"]["seconds"] / fwd
    print(f"\ndualgrad's gradient vs the hand-written one: max relative difference {err:.1e}. "
          f"Every worker under its limit: {'yes' if ok else 'NO'}. Gradient / forward: "
          f"{ratio:.2f}x ({'within' if ratio <= 3 else 'ABOVE'} the 3x bound).")


if __name__ == "__main__":
    main()
