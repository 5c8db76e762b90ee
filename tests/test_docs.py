"""The documentation: it builds with Sphinx with warnings as errors, its math renders
offline, its links resolve, its API reference answers, and its figures are the code's.

Same build command as documented: python -m sphinx -W -b html docs <outdir>
(here once per test run, into a temporary directory shared by the tests below).
"""
from __future__ import annotations

import contextlib
import doctest
import importlib
import importlib.util
import inspect
import io
import pathlib
import re
import shutil
import subprocess
import sys
import urllib.parse

import pytest

import myst_nb  # noqa: F401  (the docs extra: pip install -e ".[test,docs]")
import sphinx  # noqa: F401

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _load_check():
    """docs/check.py, the script CI runs (a file of the docs, not a module of the package)."""
    spec = importlib.util.spec_from_file_location("docs_check", ROOT / "docs" / "check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _load_check()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The built HTML site (one build for every test of this module)."""
    out = tmp_path_factory.mktemp("docs") / "html"
    assert check.build(out) == 0, "the Sphinx build failed (warnings are errors)"
    return out


def test_docs_build_without_warnings(site):
    for page in ["index", "installation", "quickstart", "tutorial", "coming_from_autograd",
                 "coming_from_jax", "coming_from_pytorch", "seeing", "extending", "api",
                 "transforms/jacobians", "notebooks/04_forward_vs_reverse"]:
        assert (site / f"{page}.html").exists(), page
    api = (site / "api.html").read_text()
    assert "dualgrad.graph.record" in api and "jacobian" in api
    for name in ["dualgrad.vmap", "complex_layout", "chunk_size", "dualgrad.graph.count",
                 "dualgrad.check_grads", "dualgrad.extend.defvjp", "dualgrad.extend.primitive",
                 "dualgrad.sparse.SparseHessian", "dualgrad.core.getval"]:
        assert name in api, name
    # the notebooks are rendered with their committed plots
    assert "<img" in (site / "notebooks" / "03_neural_network.html").read_text()


# ------------------------------------------------------------------ math, offline

def test_math_is_typeset_by_a_local_mathjax(site):
    """No page loads a script from the network; every page with math loads the MathJax
    copied into the site, and no TeX is left outside the elements MathJax typesets."""
    problems, with_math = check.math_problems(site)
    assert not problems, problems
    assert with_math >= 3  # sparse, complex, tutorial, the reference's formulas


def _tiny_site(tmp_path, body, scripts=(check.MATHJAX,)):
    (tmp_path / "_static" / "mathjax").mkdir(parents=True)
    (tmp_path / check.MATHJAX).write_text("")
    tags = "".join(f'<script src="{s}"></script>' for s in scripts)
    (tmp_path / "index.html").write_text(f"<html><head>{tags}</head><body>{body}</body></html>")
    (tmp_path / "other.html").write_text('<html><body><h1 id="here">x</h1></body></html>')
    return tmp_path


@pytest.mark.parametrize("body, scripts, found", [
    (r'<p>see \(x^2\)</p>', (check.MATHJAX,), "raw TeX"),
    (r'<p>$\alpha$ and more</p>', (check.MATHJAX,), "raw TeX"),
    ('<span class="math">x</span>', (), "does not load"),
    ('<span class="math">x</span>', ("https://cdn.example/x.js", check.MATHJAX), "network"),
    ('<a href="other.html#gone">a</a>', (check.MATHJAX,), "no element with id"),
    ('<a href="missing.html">a</a>', (check.MATHJAX,), "no such file"),
])
def test_the_checks_find_what_they_look_for(tmp_path, body, scripts, found):
    """Each check of docs/check.py fails on a page that has its fault (and the clean
    parts of the same page pass: math inside a math element, code, a good anchor)."""
    site = _tiny_site(tmp_path, body + r'<span class="math">\(y\)</span><pre>\(z\)</pre>'
                      '<a href="other.html#here">ok</a>', scripts)
    problems = check.broken_links(site) + check.math_problems(site)[0]
    assert len(problems) == 1 and found in problems[0], problems


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="the reader's check needs headless chromium (apt-get install chromium)")
def test_math_renders_in_a_browser_offline(site):
    """As a reader sees it: a headless browser with no network opens the pages with
    math; once MathJax has run, no \\( or \\[ is left in the page and formulas exist."""
    for name in ["sparse.html", "complex.html", "coming_from_pytorch.html"]:
        proc = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--proxy-server=127.0.0.1:9",
             "--virtual-time-budget=20000", "--dump-dom", (site / name).as_uri()],
            capture_output=True, text=True, timeout=120)
        dom = proc.stdout
        assert "<mjx-container" in dom, (name, proc.stderr[-2000:])
        text = re.sub(r"<[^>]+>", "", re.sub(r"<(script|style)\b.*?</\1>", "", dom, flags=re.S))
        assert "\\(" not in text and "\\[" not in text, name


# ------------------------------------------------------------------ links

def test_internal_links_and_anchors_resolve(site):
    """Every link inside the site leads to a page that exists and, when it names an
    anchor, to an element with that id (docs/check.py; Sphinx's linkcheck leaves
    links between pages unopened)."""
    broken = check.broken_links(site)
    assert not broken, broken


def test_docs_check_script_passes(site):
    """The command CI runs, on the site built above."""
    proc = subprocess.run([sys.executable, str(ROOT / "docs" / "check.py"), "--site", str(site)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all links and anchors resolve, math renders offline" in proc.stdout


def test_readme_links_resolve():
    """The README's relative links (docs pages, anchors of its own headings) exist."""
    text = (ROOT / "README.md").read_text()
    headings = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-")
                for h in re.findall(r"^#+ (.*)$", text, re.M)}
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if urllib.parse.urlparse(target).scheme:
            continue
        path, _, anchor = target.partition("#")
        if path:
            assert (ROOT / path).exists(), target
        elif anchor:
            assert anchor in headings, target


# ------------------------------------------------------------------ the API reference

DIRECTIVE = re.compile(r"^\.\. (auto(?:function|class|exception|method)):: (\S+)", re.M)
MEMBERS = re.compile(r"^\s+:members: (.+)$", re.M)


def _resolve(dotted: str):
    parts = dotted.split(".")
    # the attribute first: dualgrad.misc.flatten is the function, not its module
    for i in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for p in parts[i:]:
                obj = getattr(obj, p)
        except AttributeError:
            break  # a submodule not imported yet (dualgrad.scipy)
        return obj
    return importlib.import_module(dotted)


def api_entries() -> list[tuple[str, str]]:
    """(directive kind, dotted name) for every entry of docs/api.md, methods included."""
    text = (ROOT / "docs" / "api.md").read_text()
    entries, module = [], "dualgrad"
    for block in re.split(r"(?=^\.\. )", text, flags=re.M):
        m = re.match(r"\.\. currentmodule:: (\S+)", block)
        if m:
            module = m.group(1)
        m = DIRECTIVE.match(block)
        if not m:
            continue
        kind, name = m.groups()
        full = name if name.startswith("dualgrad.") else f"{module}.{name}"
        entries.append((kind, full))
        members = MEMBERS.search(block)
        if members:
            entries += [("automethod", f"{full}.{n.strip()}") for n in members.group(1).split(",")]
    return entries


def _has(doc: str, section: str) -> bool:
    return re.search(rf"^{section}\n-{{{len(section)}}}$", doc, re.M) is not None


def _required(kind: str, obj) -> list[str]:
    if isinstance(obj, type) and issubclass(obj, BaseException):
        return ["Parameters", "Raised by", "Examples"]
    if isinstance(obj, type):
        return ["Parameters", "Attributes", "Raises", "Examples"]
    if isinstance(obj, property):
        return ["Returns", "Examples"]
    return ["Parameters", "Returns", "Raises", "Examples"]


@pytest.mark.parametrize("kind, name", [pytest.param(k, n, id=n) for k, n in api_entries()])
def test_api_entry_answers(kind, name):
    """Each entry of the reference has numpydoc sections (functions: Parameters, Returns,
    Raises; classes: Parameters, Attributes, Raises; exceptions: Parameters and who
    raises them) and an example, and that example runs."""
    obj = _resolve(name)
    doc = inspect.getdoc(obj) or ""
    missing = [s for s in _required(kind, obj) if not _has(doc, s)]
    assert not missing, f"{name} lacks {missing}"
    owner = inspect.getmodule(obj.fget if isinstance(obj, property) else obj)
    tests = doctest.DocTestFinder(recurse=False).find(
        obj, name, module=False, globs=dict(vars(owner)) if owner else {})
    examples = [t for t in tests if t.examples]
    assert examples, f"{name} has an Examples section without a doctest (>>>)"
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    out = io.StringIO()
    for t in examples:
        runner.run(t, out=out.write)
    assert runner.failures == 0, out.getvalue()


def test_the_reference_has_what_users_need():
    """What error messages tell users to call, the exceptions they catch, and the
    helpers autograd users look for, are all in the reference."""
    names = {n for _, n in api_entries()}
    for needed in ["dualgrad.core.getval", "dualgrad.core.UnexpectedTracerError",
                   "dualgrad.core.DifferentiationError", "dualgrad.core.MissingRuleError",
                   "dualgrad.PerformanceWarning",
                   "dualgrad.sparse.jacobian", "dualgrad.sparse.hessian",
                   "dualgrad.sparse.SparseJacobian", "dualgrad.sparse.SparseHessian",
                   "dualgrad.sparse.PatternChanged", "dualgrad.sparse.jacobian_sparsity",
                   "dualgrad.sparse.hessian_sparsity", "dualgrad.linear_operator",
                   "dualgrad.misc.flatten", "dualgrad.misc.optimizers.adam",
                   "dualgrad.misc.optimizers.sgd", "dualgrad.misc.optimizers.rmsprop",
                   "dualgrad.misc.fixed_points.fixed_point", "dualgrad.autograd_alias.install"]:
        assert needed in names, needed
    for _, name in api_entries():
        _resolve(name)  # every entry names a real object


def test_docstring_examples_are_collected_by_the_suite():
    """The suite's --doctest-modules over ``dualgrad`` collects the reference's examples
    (setup.cfg's addopts; the README's command names the package)."""
    assert "--doctest-modules" in (ROOT / "setup.cfg").read_text()
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only",
                           "dualgrad/misc", "dualgrad/test_util.py", "dualgrad/sparse"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    collected = proc.stdout
    for name in ["fixed_points.fixed_point", "optimizers.adam", "test_util.check_grads",
                 "derivatives.SparseJacobian"]:
        assert name in collected, (name, collected[-3000:])


# ------------------------------------------------------------------ figures in the README

def _word(n: int) -> str:
    return {2: "two", 3: "three", 4: "four", 5: "five"}.get(n, str(n))


def test_readme_coverage_figures_are_the_codes():
    """The README's coverage figures are what ``python -m dualgrad coverage --summary``
    prints, in a fresh process as a user runs it (in this process, primitives the tests
    define would join the counts). On a mismatch the message gives the figures to write."""
    out = subprocess.run([sys.executable, "-m", "dualgrad", "coverage", "--summary"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=True).stdout
    total, diff, nondiff, unsupported = map(int, re.search(
        r"(\d+) public callables: (\d+) differentiable .*?(\d+) non-differentiable "
        r"pass-through, (\d+) unsupported", out).groups())
    prims, fast = map(int, re.search(r"(\d+) primitives in the rule tables .*?: (\d+) with "
                                     r"a batched rule", out).groups())
    m = re.search(r"Tape residuals .*?: (\d+) primitives keep only .*?; (\d+) keep every "
                  r"argument and the answer: (.*)\.", out)
    declared, undeclared = int(m.group(1)), int(m.group(2))
    names = ", ".join(f"`{n}`" for n in m.group(3).split(", "))
    readme = (ROOT / "README.md").read_text()
    expected = [
        f"NumPy: {total} public callables",
        f"{diff} differentiable with both modes",
        f"{nondiff} pass-through",
        f"{unsupported} raise a clear error",
        f"batching: {fast} of {prims} primitives have a one-call batched rule",
        f"{declared} of {declared + undeclared} primitives declare; the other "
        f"{_word(undeclared)} ({names}) keep everything",
    ]
    stale = [e for e in expected if e not in readme]
    assert not stale, f"README.md is stale; write: {stale}\n(from: {out})"


# ------------------------------------------------------------------ the JAX and PyTorch maps

def _map_names(page: str) -> list[str]:
    """The dualgrad names in the second column of a page's name-by-name table."""
    import keyword
    names = set()
    for line in (ROOT / "docs" / page).read_text().splitlines():
        if not line.startswith("| ") or line.startswith("|---"):
            continue
        cols = [c.strip() for c in line.strip("|").split("|")]
        for code in re.findall(r"`([^`]+)`", cols[1] if len(cols) > 1 else ""):
            m = re.match(r"([A-Za-z_][\w.]*)(.?)", code)
            if (m and m.group(2) != "=" and not keyword.iskeyword(m.group(1))
                    and len(m.group(1)) > 1 and not m.group(1).startswith(("jax", "torch"))):
                names.add(m.group(1))
    return sorted(names)


@pytest.mark.parametrize("page, name", [
    pytest.param(page, name, id=f"{page}:{name}")
    for page in ("coming_from_jax.md", "coming_from_pytorch.md") for name in _map_names(page)])
def test_the_maps_name_what_exists(page, name):
    """Every dualgrad name the JAX and PyTorch maps give is a real object."""
    assert _resolve(name if name.startswith("dualgrad.") else f"dualgrad.{name}") is not None


# ------------------------------------------------------------------ code on the pages

def test_code_on_the_pages_runs():
    """Every ```python block of a page runs, in order, in one namespace per page."""
    pages = sorted((ROOT / "docs").glob("*.md")) + sorted((ROOT / "docs" / "transforms").glob("*.md"))
    for page in pages:
        namespace: dict = {}
        for block in re.findall(r"```python\n(.*?)```", page.read_text(), re.S):
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(block, str(page), "exec"), namespace)
