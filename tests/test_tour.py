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
    r = subprocess.run([sys.executable, "-m", "dualgrad"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "dualgrad tour" in r.stdout
