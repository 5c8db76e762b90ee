"""lifelines 0.30.3's own tests (test_estimation.py and utils/) run on dualgrad.

lifelines (survival analysis) and autograd-gamma import autograd; here every
``autograd.X`` import resolves to ``dualgrad.X`` (``python -m
dualgrad.autograd_alias -m pytest``). The tests come from lifelines' sdist,
downloaded from PyPI into a cache at test time, never edited. Every test
listed in ``tests/data/lifelines_0.30.3_autograd_passes.txt`` (those that pass
with autograd 1.9.1 itself) must pass.

The run takes about 20 minutes, so it is opt-in::

    pip install --target ~/.cache/dualgrad/lifelines-site --no-deps lifelines==0.30.3 \\
        autograd-gamma==0.5.0 formulaic==1.2.2 interface_meta==2.0.1 narwhals \\
        "pandas==2.3.3" pytz tzdata flaky
    DUALGRAD_LIFELINES=1 DUALGRAD_LIFELINES_SITE=~/.cache/dualgrad/lifelines-site \\
        python -m pytest tests/test_lifelines.py

(``--target`` keeps lifelines' pandas<3 out of the main environment; without
``DUALGRAD_LIFELINES_SITE`` the installed lifelines and pandas are used.)
``DUALGRAD_LIFELINES_K="expression"`` passes ``-k`` to bound the selection.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import pytest

from tests.autograd_sdist import cache_dir, parse_junit, run_aliased

VERSION = "0.30.3"
EXPECTED = Path(__file__).parent / "data" / f"lifelines_{VERSION}_autograd_passes.txt"
SUITES = ["lifelines/tests/test_estimation.py", "lifelines/tests/utils"]

pytestmark = pytest.mark.skipif(
    not os.environ.get("DUALGRAD_LIFELINES"),
    reason="opt-in (about 20 minutes): set DUALGRAD_LIFELINES=1; see this module's docstring")


def _site() -> str:
    """The PYTHONPATH entry holding lifelines' runtime, checked to import."""
    site = os.path.expanduser(os.environ.get("DUALGRAD_LIFELINES_SITE", ""))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (site,) if p))
    probe = subprocess.run([sys.executable, "-c", "import lifelines, pandas, formulaic, "
                            "autograd_gamma, flaky"], capture_output=True, text=True, env=env)
    if probe.returncode:
        pytest.skip("lifelines, pandas<3, formulaic, autograd-gamma and flaky are needed "
                    "(see this module's docstring): "
                    + (probe.stderr.strip().splitlines() or ["?"])[-1])
    return site


def _sdist() -> Path:
    root = cache_dir() / f"lifelines-{VERSION}"
    if (root / ".extracted").exists():
        return root / f"lifelines-{VERSION}"
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--disable-pip-version-check", "-q", "-d", tmp, f"lifelines=={VERSION}"],
            capture_output=True, text=True, timeout=300)
        archives = sorted(Path(tmp).glob("lifelines-*.tar.gz"))
        if proc.returncode or not archives:
            pytest.skip(f"lifelines' sdist could not be downloaded: {proc.stderr[-300:]}")
        with tarfile.open(archives[0]) as tar:
            tar.extractall(root, filter="data")
    (root / ".extracted").touch()
    return root / f"lifelines-{VERSION}"


def test_lifelines_suite_passes_where_autograd_does():
    site, src = _site(), _sdist()
    expected = {line for line in EXPECTED.read_text().splitlines()
                if line and not line.startswith("#")}
    k = os.environ.get("DUALGRAD_LIFELINES_K")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        env = dict(os.environ, PYTHONPATH=site, MPLBACKEND="Agg")
        proc = run_aliased(["-m", "pytest", *SUITES, "-q", "-p", "no:cacheprovider",
                            f"--junitxml={report}", *(["-k", k] if k else [])],
                           cwd=src, timeout=3600, env=env)
        assert report.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
        outcomes = parse_junit(report)
    ran = expected & outcomes.keys()
    assert ran, f"none of the expected tests ran:\n{proc.stdout[-3000:]}"
    if not k:  # the whole selection: a test that passes with autograd must also run here
        assert ran == expected, f"not run on dualgrad: {sorted(expected - ran)[:20]}"
    broken = sorted(t for t in ran if outcomes[t] != "passed")
    print(f"lifelines {VERSION} on dualgrad: {len(ran) - len(broken)} of {len(ran)} tests "
          "that pass with autograd pass")
    assert not broken, f"{len(broken)} pass with autograd but not with dualgrad: {broken}"
