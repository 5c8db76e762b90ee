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
        # (autograd has no sparse Jacobian: that row compares eager with jit; the flatness
        # row compares dualgrad's long chain with its short ones)
        assert ("autograd" in t) == (w.setup.__name__ not in ("sparse_brusselator", "flatness"))
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
    return [v.toarray() if hasattr(v, "toarray") else v for v in tree_flatten(tree)[0]]


@pytest.mark.parametrize("w", [w for w in WORKLOADS if "jit" in w.setup(True)],
                         ids=lambda w: w.setup.__name__)
def test_the_jit_column_computes_what_eager_does(w):
    fns = w.setup(True)
    fns["jit"]()  # the trace
    got, want = fns["jit"](), fns["dualgrad"]()  # a replay
    if hasattr(want, "x"):  # a scipy.optimize result: the same fit
        got, want = (got.x, got.nfev), (want.x, want.nfev)
    for a, b in zip(dualgrad_leaves(got), dualgrad_leaves(want)):
        onp.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_the_interleaved_jit_table_runs():
    from benchmarks.jit_interleaved import interleaved
    text = interleaved(quick=True)
    assert text.count("\n") == 5 and "Weibull" in text


def test_interleaved_times_a_short_call_warm(monkeypatch):
    """Each round calls every implementation in turn (the order reversed every other
    round); a short one is called once untimed right before its timed call, so the
    caches the previous implementation emptied are refilled outside the timing."""
    import benchmarks as b
    calls = []
    fns = {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    t = b.interleaved(fns, 2)
    assert calls == ["a", "a", "b", "b"] + ["a", "a", "b", "b"] + ["b", "b", "a", "a"]
    assert set(t) == {"a", "b"}
    calls.clear()
    monkeypatch.setattr(b, "REWARM_BELOW", 0.0)  # every call counts as long: no re-warm
    b.interleaved(fns, 2)
    assert calls == ["a", "a", "b", "b"] + ["a", "b"] + ["b", "a"]


def test_per_example_gradients_agree_with_the_loop_in_one_pass():
    # The vmap(grad) row measures one batched pass: no loop (no PerformanceWarning),
    # and the per-example gradients are the loop's, for the ReLU and the tanh MLP.
    import warnings
    import dualgrad
    from benchmarks.workloads import per_example_grads
    fns = per_example_grads(True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", dualgrad.PerformanceWarning)
        batched, tanh = fns["dualgrad"](), fns["tanh MLP vmap(grad)"]()
    looped = fns["numpy"]()
    assert len(looped) == dualgrad_leaves(batched)[0].shape[0] > 4  # > LOOP_WARNING_SIZE
    for k, leaf in enumerate(dualgrad_leaves(batched)):
        want = onp.stack([dualgrad_leaves(g)[k] for g in looped])
        onp.testing.assert_allclose(leaf, want, rtol=1e-12, atol=1e-14)
    assert all(onp.all(onp.isfinite(t)) for t in dualgrad_leaves(tanh))
    if "autograd" in fns:
        for g, h in zip(looped, fns["autograd"]()):
            for a, b in zip(dualgrad_leaves(g), dualgrad_leaves(h)):
                onp.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_the_pennylane_benchmark_runs_or_says_pennylane_is_absent():
    import importlib.util
    from benchmarks import pennylane as bench
    out = bench.main(quick=True)
    if importlib.util.find_spec("pennylane") is None:
        assert out.startswith("PennyLane is not installed")
    else:
        assert "| backprop |" in out and "| parameter-shift |" in out


PEERS = ("torch", "jax", "jax.jit")


@pytest.mark.parametrize("w", WORKLOADS, ids=[w.setup.__name__ for w in WORKLOADS])
def test_the_peer_columns_compute_what_dualgrad_does(w):
    # PyTorch and JAX, where installed (not in CI: the bench extra is optional), compute
    # the workload's numbers; without them the setup has no peer callables at all.
    import importlib.util
    fns = w.setup(True)
    for peer, module in (("torch", "torch"), ("jax", "jax"), ("jax.jit", "jax")):
        assert (peer in fns) == (importlib.util.find_spec(module) is not None
                                 and w.setup.__name__ not in NO_PEERS), peer
    present = [k for k in PEERS if k in fns]
    if not present:
        return
    want = fns["dualgrad"]()
    for k in present:
        got = fns[k]()
        if hasattr(want, "x"):  # a scipy.optimize result: the same optimum
            onp.testing.assert_allclose(got.x, want.x, rtol=1e-5, atol=1e-7, err_msg=k)
            continue
        a, b = dualgrad_leaves(got), dualgrad_leaves(want)
        assert len(a) == len(b), k
        for u, v in zip(a, b):
            onp.testing.assert_allclose(u, v, rtol=1e-9, atol=1e-12, err_msg=k)


# the rows without a peer: memory is tracemalloc's (which sees no torch or jax buffer),
# the long chains would take minutes eagerly in jax, the sparse tools have no peer built in
NO_PEERS = {"reverse_peak_memory", "long_chain_rev", "sparse_brusselator", "flatness"}


def test_the_minimal_tape_and_dual_numbers_floors_are_derivatives():
    from benchmarks.workloads import scalar_chain_fwd, scalar_chain_rev
    rev, fwd = scalar_chain_rev(True), scalar_chain_fwd(True)
    onp.testing.assert_allclose(rev["minimal tape"](), rev["dualgrad"](), rtol=1e-13)
    onp.testing.assert_allclose(fwd["minimal dual numbers"](), fwd["dualgrad"](), rtol=1e-13)


def test_the_overhead_rows_show_microseconds_per_call_and_per_op():
    # a sample runs the call `per` times (fixed cost) or is `per` operations (the chains):
    # the cells and the figure are that sample's time divided accordingly
    from benchmarks import overhead
    rows = {w.setup.__name__: w for w in WORKLOADS if w.setup in (
        overhead.grad_fixed_cost, overhead.chain_reverse, overhead.flatness)}
    fixed, chain, flat = rows["grad_fixed_cost"], rows["chain_reverse"], rows["flatness"]
    t = {"dualgrad": 2e-3, "numpy": 1e-3, "autograd": 5e-3, "torch": 3e-3}
    assert fixed.check(t) == (pytest.approx(20.0), True)  # 2 ms / 100 calls = 20 us
    assert fixed.check(dict(t, torch=1.9e-3))[1] is False  # not below torch
    assert fixed.check(dict(t, autograd=3.9e-3))[1] is False  # not half of autograd
    assert "| 20 us |" in table([(fixed, t)])
    assert chain.check({"dualgrad": 3e-3, "numpy": 1e-4}) == (pytest.approx(1.0), True)
    assert flat.check({"dualgrad": 1.3, overhead.SHORT: 1.0, "numpy": 0.1})[1] is False
