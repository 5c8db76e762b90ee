"""``python -m benchmarks.compare``: HEAD against HEAD on one quick workload and one memory
chain at tiny sizes; the table has its shape, finite ratios, and the worktrees are gone."""
import math
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
pytest.importorskip("benchmarks")
from benchmarks import compare  # noqa: E402


def _in_git_checkout() -> bool:
    out = subprocess.run(["git", "-C", ROOT, "rev-parse", "--show-toplevel"],
                         capture_output=True, text=True)
    return out.returncode == 0 and os.path.samefile(out.stdout.strip(), ROOT)


pytestmark = pytest.mark.skipif(not _in_git_checkout(),
                                reason="needs the repository's git history")


@pytest.fixture
def temporary_trees(monkeypatch):
    """The folders ``compare`` made its worktrees in (to check they are gone)."""
    made = []
    real = compare.tempfile.mkdtemp

    def mkdtemp(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]
    monkeypatch.setattr(compare.tempfile, "mkdtemp", mkdtemp)
    return made


def _assert_removed(tops: list) -> None:
    listed = subprocess.run(["git", "-C", ROOT, "worktree", "list", "--porcelain"],
                            capture_output=True, text=True).stdout
    assert tops
    for top in tops:
        assert not os.path.exists(top)
        assert os.path.realpath(top) not in listed and top not in listed


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def test_head_against_head_gives_one_finite_ratio_per_row(temporary_trees):
    text = compare.compare("HEAD", "HEAD", only=["R^10 -> R^1000", "grad of sin on"],
                           rounds=2, quick=True, repo=ROOT, echo=lambda s: None)
    head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True).stdout.strip()
    assert f"before = `HEAD` ({head}), after = `HEAD` ({head}); 2 rounds" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("|")]
    assert _cells(lines[0]) == ["workload", f"before ({head})", f"after ({head})",
                                "after / before", "spread (per round)", "1 in spread"]
    rows = [_cells(ln) for ln in lines[2:]]
    assert [r[0] for r in rows] == ["`jacobian`, R^10 -> R^1000",
                                    "peak memory (RSS), grad of sin on 10^4 floats"]
    for name, b, a, ratio, spread, inside in rows:
        assert b != "–" and a != "–"
        assert math.isfinite(float(ratio)) and float(ratio) > 0
        lo, hi = map(float, spread.split("-"))
        assert 0 < lo <= hi and inside in ("yes", "no")
    assert rows[1][1].endswith(" MB")
    _assert_removed(temporary_trees)  # the temporary checkouts are removed


def test_an_unknown_selection_is_refused_and_leaves_no_worktree(temporary_trees):
    with pytest.raises(ValueError, match="no workload's name contains"):
        compare.compare("HEAD", "HEAD", only=["no such workload"], rounds=1, quick=True,
                        repo=ROOT, echo=lambda s: None)
    _assert_removed(temporary_trees)


def test_an_unknown_revision_says_so():
    with pytest.raises(RuntimeError, match="rev-parse"):
        compare.compare("HEAD", "no-such-revision-xyz", rounds=1, quick=True, repo=ROOT,
                        echo=lambda s: None)
