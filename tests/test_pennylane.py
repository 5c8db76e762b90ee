"""PennyLane 0.45.1's own autograd-facing tests run on dualgrad.

``pennylane.numpy`` is built on autograd's extension internals (its ``tensor`` is
registered in ``Box.type_mappings`` and ``VSpace.mappings``; ``qml.math`` traces
functions by hand with ``new_box`` and ``trace_stack``). Here every ``autograd.X``
import resolves to ``dualgrad.X`` (``python -m dualgrad.autograd_alias -m pytest``).
The tests come from PennyLane's wheel on PyPI (it ships a top-level ``tests/``),
downloaded into a cache at test time and never edited. Four selections are run:
``tests/numpy``, the autograd interface tests, the gradient transforms with
``-m autograd`` and ``tests/optimize``. Every test listed in
``tests/data/pennylane_0.45.1_autograd_passes.txt`` (those that pass with real
autograd 1.8.0; PennyLane pins ``autograd<1.9``) must pass.

The run takes about 10 minutes, so it is opt-in. In an environment where
PennyLane 0.45.1 and its test plugins are installed::

    pip install pennylane==0.45.1 pytest-mock pytest-rng flaky pytest-timeout
    DUALGRAD_PENNYLANE=1 python -m pytest tests/test_pennylane.py

(``DUALGRAD_PENNYLANE_SITE`` may name a folder holding that runtime, put on
``PYTHONPATH``; ``DUALGRAD_PENNYLANE_K="expression"`` passes ``-k`` to bound the
selection.)
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from tests.autograd_sdist import cache_dir, run_aliased

VERSION = "0.45.1"
EXPECTED = Path(__file__).parent / "data" / f"pennylane_{VERSION}_autograd_passes.txt"
_IFACE = "tests/workflow/interfaces/"
SUITES = {
    "numpy": ["tests/numpy"],
    "iface": [_IFACE + "execute/test_autograd.py", _IFACE + "qnode/test_autograd_qnode.py",
              _IFACE + "qnode/test_autograd_qnode_shot_vector.py",
              _IFACE + "run/test_autograd_run.py"],
    "grad": ["tests/gradients", "-m", "autograd"],
    "opt": ["tests/optimize"],
}

pytestmark = pytest.mark.skipif(
    not os.environ.get("DUALGRAD_PENNYLANE"),
    reason="opt-in (about 10 minutes): set DUALGRAD_PENNYLANE=1; see this module's docstring")


def _env() -> dict:
    """The environment of the runs, its PennyLane runtime checked to import."""
    site = os.path.expanduser(os.environ.get("DUALGRAD_PENNYLANE_SITE", ""))
    env = dict(os.environ, MPLBACKEND="Agg")
    if site:
        env["PYTHONPATH"] = os.pathsep.join([site] + [p for p in env.get(
            "PYTHONPATH", "").split(os.pathsep) if p])
    probe = subprocess.run(
        [sys.executable, "-c", "import pennylane, pytest_mock, pytest_rng, flaky, "
         "pytest_timeout; print(pennylane.__version__)"], capture_output=True, text=True,
        env=env)
    if probe.returncode:
        pytest.skip(f"PennyLane {VERSION} and pytest-mock, pytest-rng, flaky, pytest-timeout "
                    "are needed (see this module's docstring): "
                    + (probe.stderr.strip().splitlines() or ["?"])[-1])
    if probe.stdout.strip() != VERSION:
        pytest.skip(f"PennyLane {VERSION} is needed, {probe.stdout.strip()} is installed")
    return env


def _tests() -> Path:
    """The folder holding the wheel's ``tests/``, downloaded and extracted once."""
    root = cache_dir() / f"pennylane-{VERSION}"
    if (root / ".extracted").exists():
        return root
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
             "--disable-pip-version-check", "-q", "-d", tmp, f"pennylane=={VERSION}"],
            capture_output=True, text=True, timeout=300)
        wheels = sorted(Path(tmp).glob("pennylane-*.whl"))
        if proc.returncode or not wheels:
            pytest.skip(f"PennyLane's wheel could not be downloaded: {proc.stderr[-300:]}")
        with zipfile.ZipFile(wheels[0]) as whl:
            whl.extractall(root, [n for n in whl.namelist() if n.startswith("tests/")])
    (root / ".extracted").touch()
    return root


def _outcomes(report: Path) -> dict[str, str]:
    """{"classname::name": outcome} of a JUnit report (classnames keep the folders)."""
    out = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        out[f"{case.get('classname')}::{case.get('name')}"] = (
            "error" if "error" in kinds else "failed" if "failure" in kinds
            else "skipped" if "skipped" in kinds else "passed")
    return out


def _expected(suite: str) -> set[str]:
    return {line.split("\t", 1)[1] for line in EXPECTED.read_text().splitlines()
            if line and not line.startswith("#") and line.split("\t", 1)[0] == suite}


@pytest.mark.parametrize("suite", SUITES)
def test_pennylane_suite_passes_where_autograd_does(suite: str):
    env, root = _env(), _tests()
    expected = _expected(suite)
    k = os.environ.get("DUALGRAD_PENNYLANE_K")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        proc = run_aliased(["-m", "pytest", *SUITES[suite], "-q", "-p", "no:cacheprovider",
                            "--timeout=600", f"--junitxml={report}",
                            *(["-k", k] if k else [])], cwd=root, timeout=3600, env=env)
        assert report.exists(), proc.stdout[-3000:] + proc.stderr[-3000:]
        outcomes = _outcomes(report)
    ran = expected & outcomes.keys()
    assert ran, f"none of the expected tests ran:\n{proc.stdout[-3000:]}"
    if not k:  # the whole selection: a test that passes with autograd must also run here
        assert ran == expected, f"not run on dualgrad: {sorted(expected - ran)[:20]}"
    broken = sorted(t for t in ran if outcomes[t] != "passed")
    print(f"PennyLane {VERSION} {suite} on dualgrad: {len(ran) - len(broken)} of {len(ran)} "
          "tests that pass with autograd pass")
    assert not broken, f"{len(broken)} pass with autograd but not with dualgrad: {broken[:30]}"
