"""autograd 1.9.1's own test suite, run unedited against dualgrad.

The sdist is downloaded from PyPI at test time (tests/autograd_sdist.py; cached
outside the repository) and its tests/ run in a subprocess with every
``autograd.X`` import mapped onto ``dualgrad.X`` (dualgrad.autograd_alias).
Every test must pass, except:

- ``LIFTED``: tests asserting a limitation of autograd that dualgrad lifts on
  purpose (each with its reason, listed in the README);
- ``DIFFERENCES``: tests of a behaviour dualgrad defines differently on purpose.

Both lists must still fail: an entry that starts passing has to leave its list.
"""
from __future__ import annotations

import pytest

import autograd_sdist

LIFTED = {
    "test_graphs.py::test_assignment_raises_error":
        "dualgrad supports A[i] = b on a traced array (copy-on-write), which autograd refuses",
    "test_fft.py::test_rfftn_odd_not_implemented":
        "dualgrad differentiates rfftn/irfftn for odd last-axis lengths, which autograd "
        "leaves unimplemented",
}
DIFFERENCES = {
    "test_vspaces.py::test_array_vspace_complex":
        "a complex space's ones() is 1 in dualgrad (autograd: 1+1j, the sum of its basis "
        "vectors): deriv and elementwise_grad seed with ones(), and dualgrad's deriv(f)(z) "
        "is f'(z), not f'(z)(1+1j)",
}
N_TESTS = 631


@pytest.fixture(scope="module")
def outcomes():
    try:
        root = autograd_sdist.sdist_dir()
    except autograd_sdist.SdistUnavailable as exc:
        pytest.skip(f"autograd's sdist could not be downloaded from PyPI: {exc}")
    pytest.importorskip("xarray")  # autograd's dispatch tests use it (setup.cfg: test extra)
    result, proc = autograd_sdist.run_pytest(root / "tests")
    assert result, proc.stdout[-3000:] + proc.stderr[-3000:]
    return result


def test_every_autograd_test_passes_on_dualgrad(outcomes):
    assert len(outcomes) == N_TESTS, f"{len(outcomes)} tests collected, expected {N_TESTS}"
    bad = {k: v for k, v in outcomes.items()
           if v != "passed" and k not in LIFTED and k not in DIFFERENCES}
    assert not bad, f"autograd tests that fail on dualgrad: {bad}"


def test_the_listed_exceptions_still_fail(outcomes):
    # A lifted limitation must stay lifted; an entry that passes must leave its list.
    passing = [k for k in {**LIFTED, **DIFFERENCES} if outcomes.get(k) == "passed"]
    missing = [k for k in {**LIFTED, **DIFFERENCES} if k not in outcomes]
    assert not passing, f"these now pass; remove them from the lists: {passing}"
    assert not missing, f"these tests no longer exist in autograd's suite: {missing}"


def test_parse_junit(tmp_path):
    report = tmp_path / "r.xml"
    report.write_text(
        '<testsuites><testsuite>'
        '<testcase classname="tests.test_a" name="test_ok"/>'
        '<testcase classname="tests.test_a" name="test_bad[1]"><failure message="x"/></testcase>'
        '<testcase classname="tests.test_b.TestK" name="test_m"><skipped/></testcase>'
        '<testcase classname="" name="tests.test_c"><error message="import"/></testcase>'
        '</testsuite></testsuites>')
    assert autograd_sdist.parse_junit(report) == {
        "test_a.py::test_ok": "passed", "test_a.py::test_bad[1]": "failed",
        "test_b.py::TestK::test_m": "skipped", "test_c.py::<collection>": "error"}
