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
    # the notebooks are rendered with their committed plots
    assert "<img" in (out / "notebooks" / "03_neural_network.html").read_text()
