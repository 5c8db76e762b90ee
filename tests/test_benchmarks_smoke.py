"""Every benchmark workload runs once at a tiny size, so the benchmarks never
rot; where the numpy side is a hand-written derivative, dualgrad must agree."""
import os
import sys

import numpy as onp
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
benchmarks = pytest.importorskip("benchmarks")
from benchmarks import WORKLOADS, run_workload, table  # noqa: E402


@pytest.mark.parametrize("w", WORKLOADS, ids=[w.setup.__name__ for w in WORKLOADS])
def test_workload_runs_at_tiny_size(w):
    t = run_workload(w, quick=True, repeats=1)
    assert t["dualgrad"] > 0 and t["numpy"] >= 0
    try:
        import autograd  # noqa: F401
        assert "autograd" in t
    except ImportError:
        assert "autograd" not in t
    assert w.name in table([(w, t)])


@pytest.mark.parametrize("w", [w for w in WORKLOADS if w.numpy_label.endswith("by hand")],
                         ids=lambda w: w.setup.__name__)
def test_dualgrad_matches_the_hand_written_derivative(w):
    fns = w.setup(True)
    onp.testing.assert_allclose(fns["dualgrad"](), fns["numpy"](), rtol=1e-10, atol=1e-12)


def test_mlp_and_elementwise_grads_match_hand_written():
    for w in WORKLOADS:
        fns = w.setup(True)
        if "numpy grad by hand" in fns:
            got = dualgrad_leaves(fns["dualgrad"]())
            want = dualgrad_leaves(fns["numpy grad by hand"]())
            for a, b in zip(got, want):
                onp.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def dualgrad_leaves(tree):
    from dualgrad.core.spaces import tree_flatten
    return tree_flatten(tree)[0]


def test_the_pennylane_benchmark_runs_or_says_pennylane_is_absent():
    import importlib.util
    from benchmarks import pennylane as bench
    out = bench.main(quick=True)
    if importlib.util.find_spec("pennylane") is None:
        assert out.startswith("PennyLane is not installed")
    else:
        assert "| backprop |" in out and "| parameter-shift |" in out
