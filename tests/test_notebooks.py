"""Every notebook in notebooks/ executes without error, all within three minutes,
and every plot it makes has a title and labelled axes.

The notebooks are committed with their outputs; this test runs them in a fresh
kernel (nbclient) and does not write the results back.
"""
import os
import pathlib
import time

import nbclient  # in the test extra: pip install -e ".[test]"
import nbformat
import pytest

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("*.ipynb"))
BUDGET_SECONDS = 180.0
pytestmark = pytest.mark.needs("notebooks")
_elapsed: dict = {}


def test_the_notebooks_are_all_there():
    names = [p.stem for p in PATHS]
    assert names == ["01_basics", "02_gradient_descent", "03_neural_network",
                     "04_forward_vs_reverse", "05_jacobians_of_vector_fields",
                     "06_complex_losses", "07_extending", "08_sparse_jacobians",
                     "09_big_arrays_with_dask", "10_taylor_mode", "11_transposed_forward_mode",
                     "12_how_exact_is_a_derivative"]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_executes(path, monkeypatch):
    if path.stem == "09_big_arrays_with_dask":
        pytest.importorskip("dask.array", reason="needs dask (pip install 'dualgrad[dask]')")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # the kernel imports this checkout's dualgrad even when it is not pip-installed
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in [str(NOTEBOOKS.parent), os.environ.get("PYTHONPATH", "")] if p))
    nb = nbformat.read(path, as_version=4)
    # every matplotlib figure the notebook makes is kept, and checked at the end
    nb.cells.insert(0, nbformat.v4.new_code_cell(_WATCH_FIGURES))
    nb.cells.append(nbformat.v4.new_code_cell(_CHECK_FIGURES))
    start = time.perf_counter()
    nbclient.NotebookClient(nb, timeout=BUDGET_SECONDS, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    _elapsed[path.stem] = time.perf_counter() - start
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    report = "".join(o.get("text", "") for o in nb.cells[-1].get("outputs", []))
    unlabelled = [line for line in report.splitlines() if line.startswith("UNLABELLED")]
    assert not unlabelled, f"{path.name}: plots without a title or axis labels: {unlabelled}"
    checked = [int(line.split()[1]) for line in report.splitlines() if line.startswith("checked")]
    assert checked and (checked[0] >= 1 or path.stem == "07_extending"), report  # it watched


# Run before a notebook: remember every matplotlib Figure made (pyplot's or not).
_WATCH_FIGURES = """
import matplotlib.figure as _mf
_dualgrad_figures = []
_dualgrad_init = _mf.Figure.__init__
def _dualgrad_watch(self, *a, **k):
    _dualgrad_init(self, *a, **k)
    _dualgrad_figures.append(self)
_mf.Figure.__init__ = _dualgrad_watch
"""

# Run after: every axes that plots data (axes shown, with lines, points or an image)
# has a title (its own or the figure's) and both axis labels; a colour bar has a label.
_CHECK_FIGURES = """
for _k, _fig in enumerate(_dualgrad_figures):
    _sup = _fig._suptitle.get_text() if _fig._suptitle is not None else ""
    for _ax in _fig.axes:
        if getattr(_ax, "_colorbar", None) is not None:
            if not (_ax.get_ylabel() or _ax.get_xlabel()):
                print("UNLABELLED colour bar of figure", _k)
            continue
        if not _ax.axison or not (_ax.lines or _ax.collections or _ax.images or _ax.patches):
            continue
        _title = _ax.get_title() or _ax.get_title("left") or _sup
        if not (_title and _ax.get_xlabel() and _ax.get_ylabel()):
            print("UNLABELLED figure", _k, repr(_title), repr(_ax.get_xlabel()),
                  repr(_ax.get_ylabel()))
print("checked", len(_dualgrad_figures), "figures")
"""


def test_committed_notebooks_carry_their_outputs():
    for path in PATHS:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert all(c.get("execution_count") for c in code), f"{path.name} is not executed"
        images = sum("image/png" in o.get("data", {}) for c in code for o in c.get("outputs", []))
        if path.stem != "07_extending":  # 07 is text only
            assert images >= 1, f"{path.name} has no plot in its committed outputs"


def test_all_notebooks_within_budget():
    if len(_elapsed) != len(PATHS):
        pytest.skip("run together with test_notebook_executes")
    assert sum(_elapsed.values()) < BUDGET_SECONDS, _elapsed
