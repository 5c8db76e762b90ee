"""The packaging metadata agrees with the code: every third-party import has a requirement
in the right place, the claimed Pythons are the tested ones, the licence is the declared
one, the README's commands are the ones CI runs, and the typed user code computes right.
(CI builds the sdist and wheel and checks their contents: .ci/run.)"""
import ast
import configparser
import pathlib
import re
import sys

import numpy as onp
import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = REPO / "dualgrad"


def _cfg() -> configparser.ConfigParser:
    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    return cfg


def _names(block: str) -> set:
    return {re.split(r"[<>=!~\[; ]", line.strip())[0].lower()
            for line in block.strip().splitlines() if line.strip()}


def _third_party_imports() -> dict:
    """{top-level module: {files importing it}} over dualgrad/, deferred imports included."""
    std = set(sys.stdlib_module_names)
    found: dict = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                mods = [node.module]
            else:
                continue
            for m in mods:
                top = m.split(".")[0]
                if top not in std and top != "dualgrad":
                    found.setdefault(top, set()).add(path.relative_to(REPO).as_posix())
    return found


def test_every_third_party_import_is_declared_and_every_declared_package_is_imported():
    cfg = _cfg()
    required = _names(cfg["options"]["install_requires"])
    extras = {k: _names(v) for k, v in cfg["options.extras_require"].items()}
    imported = _third_party_imports()
    declared = required | set().union(*(extras[k] for k in ("plot", "dask")))
    # graphviz (the Python package) and cupy are optional accelerations, tried and
    # skipped when absent, never required: graph.draw falls back to matplotlib,
    # and cupy needs a GPU; mpmath is imported only for mpmath numbers a user passes in
    # (so the user has it; the test extra carries it at its floor)
    optional = {"graphviz", "cupy", "mpmath"}
    assert set(imported) - declared - optional == set(), imported
    # (the dask extra is for users' dask arrays, which dualgrad handles without importing dask)
    runtime = required | extras["plot"]
    unused = set(runtime) - set(imported)
    assert unused == set(), f"declared but never imported by dualgrad: {unused}"


def test_matplotlib_is_the_plot_extra_and_networkx_only_where_used():
    cfg = _cfg()
    extras = {k: _names(v) for k, v in cfg["options.extras_require"].items()}
    assert "matplotlib" in extras["plot"]
    assert "matplotlib" not in _names(cfg["options"]["install_requires"])
    # networkx: in a runtime extra only if dualgrad imports it; notebook 09 draws a task
    # graph with it, so the test extra (which runs the notebooks) carries it
    uses_networkx = "networkx" in _third_party_imports()
    notebooks_use_networkx = any("import networkx" in p.read_text()
                                 for p in (REPO / "notebooks").glob("*.ipynb"))
    for name, names in extras.items():
        if "networkx" in names:
            assert (uses_networkx and name == "plot"
                    or notebooks_use_networkx and name == "test"), (name, "networkx is unused there")
    if notebooks_use_networkx:
        assert "networkx" in extras["test"]


def test_the_claimed_pythons_are_the_tested_ones():
    cfg = _cfg()
    claimed = set(re.findall(r"Programming Language :: Python :: (3\.\d+)",
                             cfg["metadata"]["classifiers"]))
    noxfile = (REPO / "noxfile.py").read_text()
    tested = set(re.findall(r'"(3\.\d+)"', noxfile.split("def tests")[0].split("@nox.session")[-1]))
    tested |= set(re.findall(r'python="(3\.\d+)"', noxfile))  # the lowest-versions session
    assert claimed == tested | {"3.11"} == {"3.10", "3.11", "3.12", "3.13"}
    assert cfg["options"]["python_requires"] == ">=" + min(claimed, key=lambda v: int(v[2:]))


def test_the_licence_file_is_the_declared_licence():
    cfg = _cfg()["metadata"]
    assert cfg["license"] == "MIT" and cfg["license_files"].split() == ["LICENSE"]
    assert "License :: OSI Approved :: MIT License" in cfg["classifiers"]
    assert (REPO / "LICENSE").read_text().startswith("MIT License\n")


def test_the_package_says_it_is_typed():
    assert (PACKAGE / "py.typed").is_file()
    assert "py.typed" in _cfg()["options.package_data"]["dualgrad"].replace(",", " ").split()
    assert "Typing :: Typed" in _cfg()["metadata"]["classifiers"]


@pytest.mark.needs(".ci")
def test_ci_runs_the_readme_commands():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    install, test = re.search(r'pip install -e "(\.\[[\w,]+\])" && (python -m pytest [^\n#]*?)\s*#',
                              readme).groups()
    assert f'pip install --quiet -e "{install}"' in ci
    assert f"\n{test.strip()}\n" in ci
    # the quick start's demo installs what it draws with
    assert 'pip install -e ".[plot]" && python -m dualgrad' in readme


@pytest.mark.needs(".ci")
def test_ci_runs_every_nox_session():
    # no leg left out by default: the floors and each Python of noxfile's tests session
    ci = (REPO / ".ci" / "run").read_text()
    noxfile = (REPO / "noxfile.py").read_text()
    pythons = re.findall(r'"(3\.\d+)"', noxfile.split("def tests")[0].split("@nox.session")[-1])
    assert "\nSESSIONS=(lowest)\n" in ci
    assert re.search(r"\nfor v in ([\d. ]+); do\n", ci)[1].split() == pythons
    assert 'SESSIONS+=("tests-$v")' in ci


def test_the_readme_has_no_placeholder_links():
    readme = (REPO / "README.md").read_text()
    for target in re.findall(r"\]\(([^)]+)\)", readme):
        assert not re.search(r"OWNER|USER|example\.com|<|>", target), target
        if not target.startswith(("http", "#")):
            assert (REPO / target).exists(), f"README links to {target}, which is missing"


def test_the_typed_user_code_runs_and_computes_right():
    sys.path.insert(0, str(pathlib.Path(__file__).parent / "typing"))
    try:
        import user_code
    finally:
        sys.path.pop(0)
    out = user_code.main()
    w = onp.linspace(-1.0, 1.0, 3)
    x = onp.arange(6.0).reshape(2, 3) / 6
    t = onp.tanh(x @ w)
    onp.testing.assert_allclose(out["grad"], x.T @ (2 * t * (1 - t ** 2)))
    onp.testing.assert_allclose(out["hessian"], onp.diag(12 * w ** 2))
    onp.testing.assert_allclose(out["vmap"], onp.cos(x))
    onp.testing.assert_allclose(out["jacobian"], out["jacrev"])
    u = onp.linspace(0.0, 1.0, 6)
    onp.testing.assert_allclose(out["sparse_jacobian"].toarray(),
                                onp.eye(5, 6, 1) - onp.eye(5, 6) * (2 * u[:5])[:, None])
    assert float(out["cube"]) == 12.0
    assert float(out["stop_gradient"]) == 3.0  # d/dv (v * const(v)) at 3
    assert float(out["custom_jvp"]) == 0.5  # the rule's sigmoid(0), not log1p(exp)'s
    assert float(out["custom_vjp"]) == 1.0  # the cotangent 5 clipped to 1
    onp.testing.assert_allclose(out["dataclass"].w, 2.0)
    onp.testing.assert_allclose(out["dataclass"].b, onp.sum(w))
    assert (float(out["pytree"].a), float(out["pytree"].b)) == (9.0, 12.0)
    onp.testing.assert_allclose(out["linearize"], onp.cos(w))
    onp.testing.assert_allclose(out["laplacian"], onp.sum(12 * w ** 2))


def _setup_py():
    import importlib.util
    spec = importlib.util.spec_from_file_location("dualgrad_setup", REPO / "setup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # setup() itself runs only as __main__
    return module


def test_the_long_description_has_absolute_links_and_image_for_pypi():
    setup = _setup_py()
    src = "https://github.com/o/r"
    assert setup.absolute_links("see [the design](docs/design.md), [a](#x), [b](https://e.org/p)"
                                " and ![fig](docs/_static/f.png)", src) == (
        "see [the design](https://github.com/o/r/blob/main/docs/design.md), [a](#x), "
        "[b](https://e.org/p) and ![fig](https://github.com/o/r/raw/main/docs/_static/f.png)")
    source = _cfg()["metadata"]["project_urls"].split("Source = ")[1].split()[0]
    text = setup.long_description()
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    assert targets and all(t.startswith(("https://", "#")) for t in targets), targets
    # each link into the repository names a file that exists
    for t in targets:
        if t.startswith(source):
            rel = re.sub(r"^/(blob|raw)/main/", "", t[len(source):])
            assert (REPO / rel).exists(), f"the README links to {rel}, which is missing"
    assert any(t.startswith(source + "/raw/main/") and t.endswith(".png") for t in targets)
