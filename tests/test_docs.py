"""The documentation builds with Sphinx, with warnings as errors.

Same command as documented: python -m sphinx -W -b html docs <outdir>
(here into a temporary directory).
"""
import pathlib
import subprocess
import sys

import myst_nb  # noqa: F401  (the docs extra: pip install -e ".[test,docs]")
import sphinx  # noqa: F401

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q",
         "-d", str(tmp_path / "doctrees"), str(ROOT / "docs"), str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for page in ["index", "installation", "quickstart", "tutorial", "coming_from_autograd",
                 "seeing", "extending", "api", "transforms/jacobians",
                 "notebooks/04_forward_vs_reverse"]:
        assert (out / f"{page}.html").exists(), page
    api = (out / "api.html").read_text()
    assert "dualgrad.graph.record" in api and "jacobian" in api
    for name in ["dualgrad.vmap", "complex_layout", "chunk_size", "dualgrad.graph.count",
                 "dualgrad.check_grads", "dualgrad.extend.defvjp", "dualgrad.extend.primitive"]:
        assert name in api, name
    # the notebooks are rendered with their committed plots
    assert "<img" in (out / "notebooks" / "03_neural_network.html").read_text()


def test_code_on_the_pages_runs():
    """Every ```python block of a page runs, in order, in one namespace per page."""
    import contextlib
    import io
    import re
    pages = sorted((ROOT / "docs").glob("*.md")) + sorted((ROOT / "docs" / "transforms").glob("*.md"))
    for page in pages:
        namespace: dict = {}
        for block in re.findall(r"```python\n(.*?)```", page.read_text(), re.S):
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(block, str(page), "exec"), namespace)
