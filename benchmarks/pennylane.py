"""``python -m benchmarks.pennylane [--quick] [--repeats N] [--autograd-python PY]``:
PennyLane's gradients on dualgrad against real autograd.

The workloads are those of PennyLane's own benchmarks: the gradient (``qml.grad``) of
a small variational circuit's expectation value on ``default.qubit``, by
``diff_method="backprop"`` (autograd differentiates the state-vector simulation) and by
``diff_method="parameter-shift"`` (two circuit executions per parameter; autograd only
carries the parameters through PennyLane's classical processing). The circuit: angle
embedding, ``StronglyEntanglingLayers``, ``expval(Z0 @ Z1)``.

PennyLane imports autograd once per process, so each library runs in a worker process
of its own: real autograd, and dualgrad through ``python -m dualgrad.autograd_alias``.
The two workers are driven interleaved (one timed gradient each in turn, the order
alternating every round), on the same machine, and the table gives medians of each
worker's CPU time (``time.process_time``; one BLAS thread). Their
gradients are checked equal first. ``--autograd-python`` names a Python whose
PennyLane runs on real autograd (default: this one, which then needs both autograd
and dualgrad installed; PennyLane 0.45 pins ``autograd<1.9``). Without PennyLane the
script says so and exits.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

from . import machine  # sets one BLAS thread before numpy loads

import numpy as onp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (name, wires, layers, diff_method)
WORKLOADS = [
    ("4 qubits, 2 layers (24 parameters)", 4, 2, "backprop"),
    ("4 qubits, 2 layers (24 parameters)", 4, 2, "parameter-shift"),
    ("6 qubits, 4 layers (72 parameters)", 6, 4, "backprop"),
    ("6 qubits, 4 layers (72 parameters)", 6, 4, "parameter-shift"),
]
QUICK = [("2 qubits, 1 layer (6 parameters)", 2, 1, "backprop"),
         ("2 qubits, 1 layer (6 parameters)", 2, 1, "parameter-shift")]


# ------------------------------------------------------------------ the worker
def _gradient(wires: int, layers: int, diff_method: str):
    """``() -> qml.grad(circuit)(weights)`` for the workload (built in the worker)."""
    import pennylane as qml
    from pennylane import numpy as pnp

    dev = qml.device("default.qubit", wires=wires)
    features = onp.linspace(0.1, 0.9, wires)

    @qml.qnode(dev, diff_method=diff_method, interface="autograd")
    def circuit(weights):
        qml.AngleEmbedding(features, wires=range(wires))
        qml.StronglyEntanglingLayers(weights, wires=range(wires))
        return qml.expval(qml.PauliZ(0) @ qml.PauliZ(1))

    shape = qml.StronglyEntanglingLayers.shape(n_layers=layers, n_wires=wires)
    weights = pnp.array(onp.random.default_rng(0).uniform(0, 2 * onp.pi, shape),
                        requires_grad=True)
    grad = qml.grad(circuit)
    return lambda: grad(weights)


def worker() -> None:
    """Read workload specs, one JSON line each; answer ``{"seconds", "grad"}``."""
    import autograd  # the real one, or dualgrad under the alias
    made = {}
    print(json.dumps({"autograd": autograd.__name__, "file": autograd.__file__}), flush=True)
    for line in sys.stdin:
        wires, layers, method = json.loads(line)
        key = (wires, layers, method)
        if key not in made:
            made[key] = _gradient(wires, layers, method)
            made[key]()  # warm up: imports, caches
        t0 = time.process_time()  # CPU time: the machine is shared, wall time is not ours
        g = made[key]()
        seconds = time.process_time() - t0
        print(json.dumps({"seconds": seconds, "grad": onp.asarray(g, float).ravel().tolist()}),
              flush=True)


# ------------------------------------------------------------------ the driver
class _Worker:
    def __init__(self, python: str, alias: bool):
        cmd = [python] + (["-m", "dualgrad.autograd_alias"] if alias else []) + [
            "-m", "benchmarks.pennylane", "--worker"]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, text=True, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.hello = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the worker {self.proc.args} stopped (see its error above)")
        return json.loads(line)

    def run(self, spec) -> dict:
        self.proc.stdin.write(json.dumps(spec) + "\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _ms(seconds: float) -> str:
    ms = seconds * 1e3
    return f"{ms:.3g} ms" if ms < 1000 else f"{ms:.0f} ms"


def _has_pennylane(python: str) -> bool:
    return subprocess.run([python, "-c", "import pennylane"], capture_output=True).returncode == 0


def main(quick: bool = False, repeats: int = 15, autograd_python: str | None = None) -> str:
    ag_python = autograd_python or sys.executable
    if not (_has_pennylane(sys.executable) and _has_pennylane(ag_python)):
        return "PennyLane is not installed (pip install pennylane): nothing to measure."
    ag, dg = _Worker(ag_python, alias=False), _Worker(sys.executable, alias=True)
    try:
        if ag.hello["autograd"] != "autograd" or "dualgrad" in ag.hello["file"]:
            raise RuntimeError(f"{ag_python} has no real autograd: {ag.hello}")
        if "dualgrad" not in dg.hello["file"]:
            raise RuntimeError(f"the alias did not give dualgrad: {dg.hello}")
        version = subprocess.run([ag_python, "-c", "from importlib.metadata import version as v;"
                                  "print(v('pennylane'), v('autograd'))"],
                                 capture_output=True, text=True).stdout.split() or ["?", "?"]
        repeats = 1 if quick else repeats
        rows = [f"Machine: {machine()}; PennyLane {version[0]}, real autograd {version[-1]}; "
                f"CPU-time medians of {repeats} interleaved repeats",
                "", "| gradient of | diff_method | real autograd | dualgrad | dualgrad / autograd |",
                "|---|---|---|---|---|"]
        for name, wires, layers, method in (QUICK if quick else WORKLOADS):
            spec = [wires, layers, method]
            a, d = ag.run(spec), dg.run(spec)
            onp.testing.assert_allclose(d["grad"], a["grad"], rtol=1e-9, atol=1e-12)
            ta, td = [], []
            for k in range(repeats):
                first, second = (ag, dg) if k % 2 == 0 else (dg, ag)
                t1, t2 = first.run(spec)["seconds"], second.run(spec)["seconds"]
                (ta, td)[first is dg].append(t1)
                (ta, td)[second is dg].append(t2)
            ma, md = statistics.median(ta), statistics.median(td)
            rows.append(f"| {name} | {method} | {_ms(ma)} | {_ms(md)} | {md / ma:.2f}x |")
        return "\n".join(rows)
    finally:
        ag.close()
        dg.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.pennylane", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny circuits, one repeat")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--autograd-python", help="a Python whose PennyLane uses real autograd")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        worker()
    else:
        print(main(opts.quick, opts.repeats, opts.autograd_python))
