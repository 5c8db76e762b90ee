"""``python -m benchmarks.taylor`` runs at tiny sizes (its asserts hold: the Laplacian
equals trace(hessian), linearize's 100 applications equal 100 jvp calls and the MLP's
tangent map written by hand)."""
import os
import sys

import numpy as onp
import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
pytest.importorskip("benchmarks")
from benchmarks import taylor  # noqa: E402

import dualgrad  # noqa: E402


def test_the_taylor_table_runs_at_tiny_size():
    rows = taylor.main(quick=True).splitlines()
    assert len(rows) == 5 and "linearize, then 100 applications" in rows[-1]


def test_the_hand_written_tangent_map_is_the_jvp():
    f = taylor.mlp(7)
    x, v = onp.random.default_rng(0).normal(size=(2, 7))
    onp.testing.assert_allclose(taylor.mlp_jvp_by_hand(f, x)(v),
                                dualgrad.jvp(f, (x,), (v,))[1], rtol=1e-12)


def test_interleaved_cpu_times_every_variant():
    calls = []
    t = taylor.interleaved_cpu({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")},
                               3)
    assert set(t) == {"a", "b"} and all(v >= 0 for v in t.values())
    assert calls == ["a", "b"] * 4  # one warm-up each, then rounds in turn
