"""autograd's source distribution, fetched at test time, and runs of its code on dualgrad.

The tests that run autograd's own test suite (and its ``examples/`` scripts)
against dualgrad use the sdist published on PyPI, never a copy edited by hand:

- ``sdist_dir(version)`` downloads ``autograd==version`` with ``pip download``
  into a cache (``$DUALGRAD_AUTOGRAD_CACHE``, else ``$XDG_CACHE_HOME/dualgrad``
  or ``~/.cache/dualgrad``), extracts only ``tests/``, ``examples/`` and the
  package ``autograd/`` (read for its public surface, never imported here) and
  returns the extracted directory; later calls reuse it. It raises
  ``SdistUnavailable`` when PyPI cannot be reached (callers skip then).
- ``run_aliased(args, cwd)`` runs ``python -m dualgrad.autograd_alias *args``
  in a subprocess, so every ``autograd.X`` import resolves to ``dualgrad.X``.
- ``run_pytest(test_dir)`` runs a pytest suite that way and returns each test's
  outcome, read from pytest's JUnit XML report.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

AUTOGRAD_VERSION = "1.9.1"
MEMBERS = ("tests", "examples", "autograd")  # autograd/: its module and name list
_REPO = Path(__file__).resolve().parents[1]


class SdistUnavailable(RuntimeError):
    """The autograd sdist could not be downloaded (no network, PyPI down)."""


def cache_dir() -> Path:
    """Where downloaded sdists are kept (outside the repository)."""
    env = os.environ.get("DUALGRAD_AUTOGRAD_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dualgrad"


def sdist_dir(version: str = AUTOGRAD_VERSION, timeout: float = 120) -> Path:
    """The directory holding ``tests/`` and ``examples/`` of autograd ``version``'s
    sdist, downloading and extracting it on first use."""
    root = cache_dir() / f"autograd-{version}"
    done = root / f".extracted-{'-'.join(MEMBERS)}"  # (a cache of fewer members is redone)
    if done.exists():
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root.parent) as tmp:
        archive = _download(version, Path(tmp), timeout)
        _extract(archive, root, f"autograd-{version}/")
    done.touch()
    return root


def _download(version: str, dest: Path, timeout: float) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
           "--disable-pip-version-check", "-q", "-d", str(dest), f"autograd=={version}"]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SdistUnavailable(f"pip download autograd=={version} failed: {exc}") from exc
    archives = sorted(dest.glob("autograd-*.tar.gz"))
    if proc.returncode != 0 or not archives:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise SdistUnavailable(f"pip download autograd=={version} failed (PyPI unreachable?): "
                               + " | ".join(tail))
    return archives[0]


def _extract(archive: Path, root: Path, prefix: str) -> None:
    """Extract only ``MEMBERS`` of the sdist into ``root``."""
    wanted = tuple(prefix + m + "/" for m in MEMBERS)
    with tarfile.open(archive) as tar:
        members = []
        for m in tar.getmembers():
            if m.name.startswith(wanted) and (m.isfile() or m.isdir()):
                m.name = m.name[len(prefix):]
                members.append(m)
        tar.extractall(root, members=members, filter="data")


def run_aliased(args: list[str], cwd: Path, timeout: float = 900,
                env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m dualgrad.autograd_alias *args`` in ``cwd``, with this
    repository's dualgrad importable; output captured as text."""
    full_env = dict(os.environ if env is None else env)
    full_env["PYTHONPATH"] = os.pathsep.join(
        [str(_REPO)] + [p for p in full_env.get("PYTHONPATH", "").split(os.pathsep) if p])
    full_env.setdefault("MPLBACKEND", "Agg")
    return subprocess.run([sys.executable, "-m", "dualgrad.autograd_alias", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout, env=full_env)


def run_pytest(test_dir: Path, extra: list[str] = (), timeout: float = 900
               ) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    """Run the pytest suite in ``test_dir`` with the alias installed.

    Returns ({"test_file.py::test_name": outcome}, the finished process), the
    outcome one of "passed", "failed", "error", "skipped"; a module that cannot
    be collected appears as "test_file.py::<collection>" with outcome "error"."""
    test_dir = Path(test_dir)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.xml"
        proc = run_aliased(
            ["-m", "pytest", test_dir.name, "-c", os.devnull, "--rootdir", str(test_dir.parent),
             "-p", "no:cacheprovider", "-q", "--continue-on-collection-errors",
             f"--junitxml={report}", *extra], cwd=test_dir.parent, timeout=timeout)
        if not report.exists():
            raise RuntimeError(f"pytest wrote no report:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return parse_junit(report), proc


def parse_junit(report: Path) -> dict[str, str]:
    """{"test_file.py::test_name": outcome} from a pytest JUnit XML report."""
    outcomes = {}
    for case in ET.parse(report).getroot().iter("testcase"):
        module = case.get("classname", "").split(".")
        name = case.get("name", "")
        # classname "tests.test_numpy" (or "tests.test_numpy.TestClass"), name "test_clip[...]"
        if len(module) > 1 and module[-1].startswith("Test"):
            name, module = f"{module[-1]}::{name}", module[:-1]
        key = f"{module[-1]}.py::{name}" if module[-1] else name
        kinds = {child.tag for child in case}
        if "error" in kinds:
            outcome = "error"
        elif "failure" in kinds:
            outcome = "failed"
        elif "skipped" in kinds:
            outcome = "skipped"
        else:
            outcome = "passed"
        if not case.get("classname"):  # a module that failed to import: name "tests.test_x"
            key = f"{name.rsplit('.', 1)[-1]}.py::<collection>"
        outcomes[key] = outcome
    return outcomes
