"""The sparse benchmarks run at a tiny size, so they never rot."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
pytest.importorskip("benchmarks")


def test_sparse_benchmarks_run_at_tiny_size():
    from benchmarks import sparse as bench
    text = bench.run(quick=True, echo=lambda s: None)
    for part in ["Brusselator N=4", "1-D 3-point", "2-D 5-point", "chained Rosenbrock",
                 "detection"]:
        assert part in text
    assert "| 0.0e+00 |" in text  # sparse AD equals dense AD exactly on the Brusselator
