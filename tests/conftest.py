import os
import pathlib
import sys

import numpy as onp
import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))  # tests/helpers.py

settings.register_profile("ci", max_examples=15, deadline=None, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=40, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = pathlib.Path(__file__).resolve().parent.parent
# whole modules that read a folder beside tests/ (as if marked needs(folder))
_MODULES_NEEDING = {"test_docs.py": "docs"}


def pytest_collection_modifyitems(items):
    for item in items:
        folder = _MODULES_NEEDING.get(item.path.name)
        if folder is not None:
            item.add_marker(pytest.mark.needs(folder))


def pytest_runtest_setup(item):
    """``@pytest.mark.needs("docs")``: the test reads a folder beside tests/ (docs,
    notebooks, benchmarks). The repository and the sdist carry them; a copy of tests/
    alone may not, and there the test skips, naming the folder."""
    for mark in item.iter_markers("needs"):
        for folder in mark.args:
            if not (REPO / folder).is_dir():
                pytest.skip(f"needs the repository's {folder}/ folder, absent here")


@pytest.fixture(autouse=True)
def _seed_numpy():
    onp.random.seed(0)
