"""The suite on every Python the metadata claims, and at the lowest declared versions.

    nox                    # all sessions
    nox -s tests-3.12      # one Python
    nox -s lowest          # numpy, scipy and mpmath at their declared floors (setup.cfg)

The full suite with every extra (the docs build, the notebooks, autograd's own suite and
examples, Dask) is the README's command on 3.11. These sessions run the core subset: the
whole suite and the docstring examples except the integration tests in ``INTEGRATION``,
with dualgrad's plot extra (matplotlib: dualgrad.graph draws) and the test tools (pytest,
hypothesis, mpmath, autograd) only.
CI (.ci/run) runs them all.
"""
from __future__ import annotations

import configparser
import pathlib
import re

import nox

ROOT = pathlib.Path(__file__).parent
nox.options.sessions = ["tests", "lowest"]
nox.options.reuse_existing_virtualenvs = False
nox.options.error_on_missing_interpreters = True  # a claimed Python that is absent fails

# Left to the README's full run on 3.11: they need the docs, plot, dask or notebook extras,
# or fetch and run other projects' code, and take three quarters of the suite's time.
INTEGRATION = [
    "tests/test_docs.py", "tests/test_notebooks.py", "tests/test_tour.py",
    "tests/test_autograd_examples.py", "tests/test_autograd_suite.py",
    "tests/test_dask.py", "tests/test_dask_cupy.py", "tests/test_sparse_fuzz.py",
    "tests/test_solvers_benchmark.py", "tests/test_sparse_benchmark.py",
    "tests/test_benchmarks_smoke.py",
]
PYTEST = ["python", "-m", "pytest", "tests", "dualgrad",
          *(f"--ignore={path}" for path in INTEGRATION)]
# from the test extra, at its declared versions
TOOLS = ("pytest", "hypothesis", "mpmath", "autograd")


def _requirements(section: str, key: str | None = None) -> list[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    block = cfg[section][key] if key else ""
    return [line.strip() for line in block.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def tools() -> list[str]:
    """The test extra's requirements for the subset's tools (``TOOLS``)."""
    found = [r for r in _requirements("options.extras_require", "test")
             if re.split(r"[<>=!~\[; ]", r)[0] in TOOLS]
    assert len(found) == len(TOOLS), f"setup.cfg's test extra lost a tool: {found}"
    return found


def floors() -> list[str]:
    """``name==version`` for numpy and scipy (install_requires) and mpmath (the test
    extra), read from the ``>=`` floors in setup.cfg."""
    lines = (_requirements("options", "install_requires")
             + _requirements("options.extras_require", "test"))
    pins = []
    for line in lines:
        m = re.fullmatch(r"(numpy|scipy|mpmath)>=([\w.]+)", line)
        if m:
            pins.append(f"{m[1]}=={m[2]}")
    assert len(pins) == 3, f"setup.cfg lost a floor: {pins}"
    return pins


@nox.session(python=["3.10", "3.12", "3.13"])
def tests(session: nox.Session) -> None:
    """The core subset on each Python beside 3.11 (the README's full run)."""
    session.install("-e", ".[plot]", *tools())
    session.run(*PYTEST, *session.posargs)


@nox.session(python="3.11")
def lowest(session: nox.Session) -> None:
    """The core subset with numpy, scipy and mpmath at their declared floors."""
    pins = floors()
    session.install("-e", ".[plot]", *tools(), *pins)
    session.run("python", "-c", "import numpy, scipy, mpmath; "
                "print('numpy', numpy.__version__, 'scipy', scipy.__version__, "
                "'mpmath', mpmath.__version__)")
    # fail if the resolver moved a pin
    session.run("python", "-c", "import importlib.metadata as m, sys; "
                f"pins = {pins!r}; "
                "bad = [p for p in pins if m.version(p.split('==')[0]) != p.split('==')[1]]; "
                "sys.exit(f'not at the floor: {bad}' if bad else 0)")
    session.run(*PYTEST, *session.posargs)
