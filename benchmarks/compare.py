"""Before and after: dualgrad's eager column of ``python -m benchmarks`` at two git revisions.

``python -m benchmarks.compare REV_BEFORE REV_AFTER [--only TEXT] [--rounds N]``
checks each revision out into a temporary ``git worktree add --detach`` (removed at
the end, on error too) and measures, for every workload of ``benchmarks`` (as each
revision defines it), dualgrad's eager callable only (no peer is imported):

* each (revision, workload, round) in a fresh Python process whose ``PYTHONPATH`` is
  that revision's tree, with one BLAS thread;
* in CPU time (``time.process_time``): two warm-up calls, then the median of the
  workload's own number of repeats (more for a short call: at least 0.3 s of calls,
  at most 1000), called in a row (warm: the steady cost of a call in a loop, which
  ``python -m benchmarks`` measures too);
* the two revisions alternate in each round, and their order flips every round, so
  a slow spell of the shared machine falls on both.

The memory rows are ``benchmarks.memory``'s own measurement, dualgrad's column: the
peak resident memory of one fresh process computing the gradient of each chain.
(The in-process tracemalloc row of ``benchmarks`` is left out: ``benchmarks.memory``
measures its chain and six more.)

The markdown table gives the median over the rounds at each revision, their ratio
(after / before) and the spread: the lowest and highest after / before of a single
round (both measured back to back). A ratio whose spread contains 1 is within the
noise of this run; "1 in spread" says so (more rounds widen the spread a little and
make the median surer).
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Iterator, Sequence

# Runs in each child, from the revision's tree: ``list`` prints the rows it defines,
# ``time NAME REPEATS QUICK`` the CPU-time median of dualgrad's callable of workload NAME
# (divided by its ``per``, as the benchmarks' table shows it).
_CHILD = r'''
import json, os, statistics, sys, time
import benchmarks, dualgrad
for _m in (benchmarks, dualgrad):  # an installed copy must not stand in for the tree's
    if not os.path.abspath(_m.__file__).startswith(os.getcwd() + os.sep):
        sys.exit(f"{_m.__name__} was imported from {_m.__file__}, not from {os.getcwd()}")
try:  # dualgrad's column only: the peers' columns are never set up
    import benchmarks.peers as peers
    peers.torch = lambda: None
    peers.jax = lambda: None
except ImportError:
    pass
from benchmarks import WORKLOADS
if sys.argv[1] == "list":
    try:
        from benchmarks.memory import CHAINS
    except ImportError:
        CHAINS = {}
    print(json.dumps({"workloads": [[w.name, w.repeats] for w in WORKLOADS
                                    if w.setup.__name__ != "reverse_peak_memory"],
                      "chains": list(CHAINS)}))
else:
    name, repeats, quick = sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
    (w,) = [w for w in WORKLOADS if w.name == name]
    fn = w.setup(quick)["dualgrad"]
    fn()
    fn()  # two warm-ups, as benchmarks.interleaved
    times = []
    # the workload's repeats, and more of a short call: at least 0.3 s of samples
    while len(times) < repeats or not quick and sum(times) < 0.3 and len(times) < 1000:
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    # per call or per operation, where the workload's sample is several (Workload.per)
    print(json.dumps(statistics.median(times) / getattr(w, "per", 1)))
'''

_THREADS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@dataclass
class Tree:
    """One revision checked out: ``rev`` as given, ``commit`` its short hash."""
    rev: str
    commit: str
    path: str


@dataclass
class Row:
    """One line of the table: a workload (seconds) or a memory chain (MB)."""
    name: str
    kind: str                  # "time" or "memory"
    key: str                   # the workload's or the chain's own name
    repeats: dict[str, int] = field(default_factory=dict)   # per tree path (time rows)
    values: dict[str, list[float]] = field(default_factory=dict)  # per tree path, per round


def _git(repo: str, *args: str) -> str:
    out = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"git {' '.join(args)} failed:\n{out.stderr.strip()}")
    return out.stdout.strip()


def repository() -> str:
    """The top of the git repository this file belongs to."""
    return _git(os.path.dirname(os.path.abspath(__file__)), "rev-parse", "--show-toplevel")


@contextlib.contextmanager
def checked_out(revs: Sequence[str], repo: str | None = None) -> Iterator[list[Tree]]:
    """Each revision in its own detached worktree under a temporary folder; the
    worktrees and the folder are removed on leaving, also after an error."""
    repo = repo or repository()
    commits = [_git(repo, "rev-parse", "--short", f"{rev}^{{commit}}") for rev in revs]
    top = tempfile.mkdtemp(prefix="dualgrad-compare-")
    trees: list[Tree] = []
    try:
        for i, (rev, commit) in enumerate(zip(revs, commits)):
            path = os.path.join(top, f"{i}-{commit}")
            _git(repo, "worktree", "add", "--detach", path, commit)
            trees.append(Tree(rev, commit, path))
        for t in trees:  # bytecode for the children, which may not write it
            for sub in ("dualgrad", "benchmarks"):
                subprocess.run([sys.executable, "-m", "compileall", "-q",
                                os.path.join(t.path, sub)], capture_output=True)
        yield trees
    finally:
        for t in trees:
            subprocess.run(["git", "-C", repo, "worktree", "remove", "--force", t.path],
                           capture_output=True)
        shutil.rmtree(top, ignore_errors=True)
        subprocess.run(["git", "-C", repo, "worktree", "prune"], capture_output=True)


def _env(tree: Tree) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=tree.path)
    env.update({v: "1" for v in _THREADS})
    return env


def _run(tree: Tree, args: Sequence[str]) -> str:
    """The last line a child printed, run in ``tree``."""
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True,
                         env=_env(tree), cwd=tree.path)
    if out.returncode:
        raise RuntimeError(f"{' '.join(args[-4:])} at {tree.rev} ({tree.commit}) failed:\n"
                           f"{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def _rows(trees: Sequence[Tree], only: Sequence[str], n_memory: int) -> list[Row]:
    """The rows both revisions define (a row one of them lacks is kept, one-sided),
    in the later revision's order, filtered by ``only`` (any of the texts)."""
    rows: dict[tuple[str, str], Row] = {}
    for tree in reversed(trees):
        listed = json.loads(_run(tree, ["-c", _CHILD, "list"]))
        for name, repeats in listed["workloads"]:
            rows.setdefault(("time", name), Row(name, "time", name)).repeats[tree.path] = repeats
        for chain in listed["chains"]:
            size = f"10^{round(math.log10(n_memory))}"
            label = f"peak memory (RSS), grad of {chain} on {size} floats"
            rows.setdefault(("memory", chain), Row(label, "memory", chain)).repeats[tree.path] = 1
    wanted = [o.lower() for o in only]
    return [r for r in rows.values()
            if not wanted or any(o in r.name.lower() for o in wanted)]


def measure(row: Row, tree: Tree, quick: bool, n_memory: int) -> float:
    """One fresh process: CPU seconds (median of the workload's repeats) or peak MB."""
    if row.kind == "time":
        repeats = 1 if quick else row.repeats[tree.path]
        return float(json.loads(_run(tree, ["-c", _CHILD, "time", row.key, str(repeats),
                                            str(int(quick))])))
    script = os.path.join(tree.path, "benchmarks", "memory.py")
    out = json.loads(_run(tree, [script, "--child", row.key, "dualgrad", str(n_memory)]))
    return float(out["peak_mb"])


def compare(before: str, after: str, only: Sequence[str] = (), rounds: int = 5,
            quick: bool = False, repo: str | None = None,
            echo: Callable[[str], None] = print) -> str:
    """The before / after table (markdown) of the rows selected by ``only``."""
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, not {rounds}")
    n_memory = 10 ** 4 if quick else 10 ** 7
    with checked_out([before, after], repo) as trees:
        rows = _rows(trees, only, n_memory)
        if not rows:
            raise ValueError(f"no workload's name contains any of {list(only)}")
        for r in range(rounds):
            order = trees if r % 2 == 0 else trees[::-1]
            for row in rows:
                for tree in order:
                    if tree.path in row.repeats:
                        row.values.setdefault(tree.path, []).append(
                            measure(row, tree, quick, n_memory))
            echo(f"  round {r + 1} of {rounds} done")
        return table(rows, trees, rounds)


def _fmt(kind: str, v: float | None) -> str:
    if v is None:
        return "–"
    if kind == "memory":
        return f"{v:.1f} MB"
    if v < 1e-3:
        return f"{v * 1e6:.3g} us"
    return f"{v * 1e3:.3g} ms" if v < 10 else f"{v:.3g} s"


def table(rows: Sequence[Row], trees: Sequence[Tree], rounds: int) -> str:
    b, a = trees
    lines = [f"before = `{b.rev}` ({b.commit}), after = `{a.rev}` ({a.commit}); {rounds} "
             "rounds, a fresh process each, revisions alternating; dualgrad eager, "
             "CPU-time medians (memory: peak RSS)", "",
             f"| workload | before ({b.commit}) | after ({a.commit}) | after / before | "
             "spread (per round) | 1 in spread |", "|---|---|---|---|---|---|"]
    for row in rows:
        vb, va = row.values.get(b.path), row.values.get(a.path)
        mb = statistics.median(vb) if vb else None
        ma = statistics.median(va) if va else None
        ratio = spread = inside = "–"
        if mb and ma:
            per_round = [y / x for x, y in zip(vb or [], va or [])]
            lo, hi = min(per_round), max(per_round)
            ratio, spread = f"{ma / mb:.3f}", f"{lo:.2f}-{hi:.2f}"
            inside = "yes" if lo <= 1 <= hi else "no"
        lines.append(f"| {row.name} | {_fmt(row.kind, mb)} | {_fmt(row.kind, ma)} | {ratio} | "
                     f"{spread} | {inside} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.compare",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("before", help="git revision measured first (e.g. main)")
    parser.add_argument("after", help="git revision compared with it (e.g. a branch)")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="only the rows whose name contains TEXT (repeatable; "
                             "'memory' for the memory rows)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes, one repeat (a smoke run: the figures mean nothing)")
    args = parser.parse_args(argv)
    print(compare(args.before, args.after, args.only, args.rounds, args.quick,
                  echo=lambda s: print(s, file=sys.stderr)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
