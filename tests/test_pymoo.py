"""pymoo 0.6.2's gradient tests run on dualgrad.

pymoo's ``pymoo/gradient/grad_autograd.py`` drives autograd's tracer by hand:
``new_box(x, 0, VJPNode.new_root())``, then ``core.backward_pass(seed, out._node)``
once per output row, with the seed itself a box. Here every ``autograd.X`` import
resolves to ``dualgrad.X`` (``python -m dualgrad.autograd_alias -m pytest``). The
tests are ``tests/gradients/`` of pymoo's repository at the release tag (the
sdist and wheel on PyPI do not ship them), never edited; they compare the
derivatives with the problems' hand-written gradients. All of them pass with
autograd 1.9.1, and all must pass here.

Opt-in (it needs pymoo and a checkout of its repository)::

    pip install pymoo==0.6.2
    git clone --depth 1 --branch 0.6.2 https://github.com/anyoptimization/pymoo pymoo-src
    DUALGRAD_PYMOO=1 DUALGRAD_PYMOO_SRC=pymoo-src python -m pytest tests/test_pymoo.py

Without ``DUALGRAD_PYMOO_SRC`` the test clones the tag into the cache
(``tests/autograd_sdist.cache_dir()``) with git, and skips if it cannot.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.autograd_sdist import cache_dir, parse_junit, run_aliased

VERSION = "0.6.2"
TESTS = ["test_gradient.py::test_elementwise_eval_with_gradient[elementwise_sphere]",
         "test_gradient.py::test_elementwise_eval_with_gradient[elementwise_zdt1]",
         "test_gradient.py::test_vectorized_constrained_eval_with_gradient"
         "[elementwise_constr_sphere]",
         "test_gradient.py::test_vectorized_eval_with_gradient[vectorized_zdt1]",
         "test_gradient.py::test_constrained_multi_eval_with_gradient[vectorized_constr_zdt1]"]

pytestmark = pytest.mark.skipif(
    not os.environ.get("DUALGRAD_PYMOO"),
    reason="opt-in: set DUALGRAD_PYMOO=1; see this module's docstring")


def _source() -> Path:
    """A pymoo source tree at the release tag (holding ``tests/gradients``)."""
    given = os.environ.get("DUALGRAD_PYMOO_SRC")
    src = Path(os.path.expanduser(given)) if given else cache_dir() / f"pymoo-{VERSION}"
    if not given and not (src / "tests" / "gradients").is_dir():
        try:
            proc = subprocess.run(
                ["git", "clone", "-q", "--depth", "1", "--branch", VERSION,
                 "https://github.com/anyoptimization/pymoo", str(src)],
                capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"pymoo's repository could not be cloned: {exc}")
        if proc.returncode:
            pytest.skip(f"pymoo's repository could not be cloned: {proc.stderr[-300:]}")
    if not (src / "tests" / "gradients" / "test_gradient.py").is_file():
        pytest.skip(f"{src} holds no tests/gradients/test_gradient.py (pymoo {VERSION}'s)")
    return src


def test_pymoo_gradient_tests_pass():
    probe = subprocess.run([sys.executable, "-c", "import pymoo; print(pymoo.__version__)"],
                           capture_output=True, text=True)
    if probe.returncode or probe.stdout.strip() != VERSION:
        pytest.skip(f"pymoo {VERSION} is needed: "
                    + (probe.stdout.strip() or probe.stderr.strip()[-200:]))
    src = _source()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        proc = run_aliased(["-m", "pytest", str(src / "tests" / "gradients"), "-q",
                            "-p", "no:cacheprovider", "--rootdir", str(src),
                            "-c", str(src / "pytest.ini"), f"--junitxml={report}"],
                           cwd=src, timeout=900)
        assert report.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
        outcomes = parse_junit(report)
    assert set(TESTS) <= outcomes.keys(), (sorted(outcomes), proc.stdout[-2000:])
    broken = {t: outcomes[t] for t in TESTS if outcomes[t] != "passed"}
    assert not broken, proc.stdout[-4000:]
