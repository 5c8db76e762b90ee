"""Existing test suites run again with every transform call also replayed by ``jit``.

``tests/jit_everywhere.py`` (a pytest plugin) makes each outermost ``grad``,
``value_and_grad``, ``jacobian``, ``hessian``, ``vmap``, ``jvp``, ... call, and each
``check_grads``, also trace ``jit`` of the same computation at a nudged point and replay
it at the test's point, failing the test when the replay differs from eager. Here that
runs on the rule tests (tests/rules: ``check_grads`` of every rule), the transform tests
and, when its sdist is at hand, autograd 1.9.1's own suite.

Every test must pass, except the listed ones, which must still fail (an entry that
passes has to leave its list). The plugin's tally must show that it compared.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import autograd_sdist
import test_autograd_suite

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
OURS = ["rules", "test_transforms.py", "test_transform_options.py", "test_custom_rules.py",
        "test_vmap_axes.py", "test_complex.py", "test_trees.py"]
# Tests that observe how they were called (call counts, the calling line), which the
# plugin changes by wrapping the transform call.
COUNT_CALLS = {
    "test_custom_rules.py::test_custom_vjp_reverse_mode_and_residuals":
        "asserts the forward rule ran once; the jit trace runs it once more",
    "test_transforms.py::test_warnings_point_at_the_users_line":
        "asserts the warning's line is the test's; under the plugin the transform is called "
        "from jit_everywhere's line",
}


# The sparse tools' tests, run with every sparse.jacobian / sparse.hessian call also
# compared with jit (a twin tool, traced at a nudged point and replayed at the test's):
# their unit tests, the random programs of test_sparse_fuzz (branches on the values,
# writes into pending arrays, views) and the stencils and solvers.
SPARSE = ["test_sparse_jacobian.py", "test_sparse_fuzz.py", "test_sparse_patterns.py",
          "test_sparse_seams.py", "test_sparse_detect.py", "test_sparse_colour.py",
          "test_sparse_benchmark.py"]
# Tests that count the passes made inside a `with count()` block, which the comparison's
# own calls add to.
SPARSE_COUNTS = {
    f"test_sparse_jacobian.py::{name}": "counts the passes; the comparison makes more"
    for name in ("test_many_colours_are_chunked_automatically",
                 "test_pattern_and_colouring_are_detected_once_and_reused",
                 "test_bidirectional_mode_takes_an_arrowhead_in_three_passes",
                 "test_auto_splits_an_arrowhead_between_the_modes")}


def _env(tally: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(TESTS)] + [
        p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env["DUALGRAD_JIT_TALLY"] = str(tally)
    return env


def _outcomes(report: Path) -> dict:
    return autograd_sdist.parse_junit(report)


def _through_jit(tmp_path, files, least: int, known_failures) -> dict:
    """Run the test ``files`` with every transform jitted; check that more than ``least``
    ran, that only ``known_failures`` failed and that each of those still fails; return
    the jit tally."""
    tally, report = tmp_path / "tally.json", tmp_path / "report.xml"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "jit_everywhere", "-p", "no:cacheprovider",
         "-q", f"--junitxml={report}", *[f"tests/{t}" for t in files]],
        cwd=ROOT, env=_env(tally), capture_output=True, text=True, timeout=1800)
    outcomes = _outcomes(report)
    assert len(outcomes) > least, proc.stdout[-3000:]
    bad = {k: v for k, v in outcomes.items() if v in ("failed", "error")}
    unexpected = {k: v for k, v in bad.items() if k not in known_failures}
    assert not unexpected, proc.stdout[-5000:]
    still = [k for k in known_failures if k in bad]
    assert still == list(known_failures), \
        f"these pass now; remove them: {set(known_failures) - set(still)}"
    return json.loads(tally.read_text())


def test_our_suites_through_jit(tmp_path):
    counts = _through_jit(tmp_path, OURS, 500, COUNT_CALLS)
    assert counts["compared"] > 5000, counts
    assert counts["replayed"] > 0.7 * counts["compared"], counts  # most replays kept a trace


def test_the_sparse_suites_through_jit(tmp_path):
    counts = _through_jit(tmp_path, SPARSE, 150, SPARSE_COUNTS)
    assert counts["sparse_compared"] > 1000, counts


def test_autograds_suite_through_jit(tmp_path, monkeypatch):
    try:
        root = autograd_sdist.sdist_dir()
    except autograd_sdist.SdistUnavailable as exc:
        pytest.skip(f"autograd's sdist could not be downloaded from PyPI: {exc}")
    pytest.importorskip("xarray")
    tally = tmp_path / "tally.json"
    for k, v in _env(tally).items():
        monkeypatch.setenv(k, v)
    outcomes, proc = autograd_sdist.run_pytest(root / "tests", extra=["-p", "jit_everywhere"])
    assert len(outcomes) == test_autograd_suite.N_TESTS, proc.stdout[-3000:]
    known = {**test_autograd_suite.LIFTED, **test_autograd_suite.DIFFERENCES}
    bad = {k: v for k, v in outcomes.items() if v != "passed" and k not in known}
    assert not bad, proc.stdout[-5000:]
    counts = json.loads(tally.read_text())
    assert counts["compared"] > 3000, counts
