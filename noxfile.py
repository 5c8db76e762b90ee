"""The suite on every Python the metadata claims, and at the lowest declared versions.

    nox                    # all sessions
    nox -s tests-3.12      # one Python
    nox -s lowest          # numpy, scipy and mpmath at their declared floors (setup.cfg)

The full run with every extra (docs build, notebooks, autograd's suite) is the README's
command on 3.11; these sessions run the same suite with the test and dask extras. CI
(.ci/run) runs them all.
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

# The docs build is the 3.11 run's (it needs the docs extra); every other test runs here.
PYTEST = ["python", "-m", "pytest", "tests", "dualgrad", "--ignore=tests/test_docs.py"]


def floors() -> list[str]:
    """``name==version`` for numpy and scipy (install_requires) and mpmath (the test
    extra), read from the ``>=`` floors in setup.cfg."""
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg")
    lines = (cfg["options"]["install_requires"] + cfg["options.extras_require"]["test"]).split()
    pins = []
    for line in lines:
        m = re.fullmatch(r"(numpy|scipy|mpmath)>=([\w.]+)", line)
        if m:
            pins.append(f"{m[1]}=={m[2]}")
    assert len(pins) == 3, f"setup.cfg lost a floor: {pins}"
    return pins


@nox.session(python=["3.10", "3.12", "3.13"])
def tests(session: nox.Session) -> None:
    """The suite on each Python beside 3.11 (the README's run)."""
    session.install("-e", ".[test,dask]")
    session.run(*PYTEST, *session.posargs)


@nox.session(python="3.11")
def lowest(session: nox.Session) -> None:
    """The suite with numpy, scipy and mpmath at their declared floors."""
    pins = floors()
    session.install("-e", ".[test,dask]", *pins)
    session.run("python", "-c", "import numpy, scipy, mpmath; "
                "print('numpy', numpy.__version__, 'scipy', scipy.__version__, "
                "'mpmath', mpmath.__version__)")
    # fail if the resolver moved a pin
    session.run("python", "-c", "import importlib.metadata as m, sys; "
                f"pins = {pins!r}; "
                "bad = [p for p in pins if m.version(p.split('==')[0]) != p.split('==')[1]]; "
                "sys.exit(f'not at the floor: {bad}' if bad else 0)")
    session.run(*PYTEST, *session.posargs)
