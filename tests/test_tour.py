"""The tour (python -m dualgrad) runs and says what it should."""
import io
import subprocess
import sys


def test_tour_prints_the_four_parts(tmp_path):
    from dualgrad.tools.tour import main
    out = io.StringIO()
    assert main(["--plot", str(tmp_path / "d.png")], out=out) == 0
    text = out.getvalue()
    assert "taylor_sine" in text and "trained loss" in text
    assert "R^10 -> R^1000" in text and "fwd mode" in text
    assert "R^1000 -> R^10" in text and "rev mode" in text
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "install matplotlib" in text
    else:
        assert (tmp_path / "d.png").stat().st_size > 1000 and "wrote the plot" in text


def test_python_dash_m_entry_point(tmp_path):
    import os
    import dualgrad
    root = os.path.dirname(os.path.dirname(os.path.abspath(dualgrad.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([sys.executable, "-m", "dualgrad"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120, env=env)  # this checkout's dualgrad
    assert r.returncode == 0, r.stderr
    assert "dualgrad tour" in r.stdout
    # it writes into its own folder, never loose files in the directory it runs in
    assert [p.name for p in tmp_path.iterdir()] == ["dualgrad-tour"]
    assert "dualgrad-tour" in r.stdout and "derivative.png" in r.stdout


def test_the_tour_explains_its_numbers_and_its_plot_has_a_title_and_labels(tmp_path,
                                                                         monkeypatch):
    import pytest
    matplotlib = pytest.importorskip("matplotlib")
    from dualgrad.tools.tour import main
    saved = []
    real = matplotlib.figure.Figure.savefig
    monkeypatch.setattr(matplotlib.figure.Figure, "savefig",
                        lambda fig, *a, **k: saved.append(fig) or real(fig, *a, **k))
    out = io.StringIO()
    main(["--out", str(tmp_path / "results")], out=out)
    text = out.getvalue()
    assert "Why -0.9999 and not -1" in text and "7 terms" in text and "truncation" in text
    assert (tmp_path / "results" / "derivative.png").exists()
    (ax,) = saved[0].axes
    assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel()
