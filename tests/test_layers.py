"""The folder tree is the architecture: layer packages, and no import runs up the layers.

Every import between dualgrad's own modules is read from the source (``ast``), the
ones deferred inside functions included, and checked against the layer order in
docs/design.md: a package imports only the packages listed before it (or itself),
the top-level public files may import any package, and no set of modules imports
itself in a cycle. Deferred imports of optional heavy dependencies (scipy
submodules, matplotlib, dask, logging) are outside dualgrad and not edges here.
"""
from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "dualgrad"
# The layers, bottom up. A module's layer is its first-level package under dualgrad/.
# The top-level public files come after tools; compat (autograd's internal modules, which
# stand in for names such as autograd.core) sits above them.
TOP = "<public>"  # the top-level files: dualgrad/*.py
LAYERS = ["core", "interpreters", "rules", "numpy", "scipy", "transforms", "sparse", "misc",
          "tools", TOP, "compat"]
PUBLIC_FILES = {"__init__.py", "__main__.py", "extend.py", "test_util.py", "graph.py",
                "tracer.py", "util.py", "wrap_util.py", "differential_operators.py",
                "builtins.py", "autograd_alias.py"}


def _module_name(path: pathlib.Path) -> str:
    parts = ("dualgrad",) + path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    rel = pathlib.Path(*name.split(".")[1:])
    return (ROOT / rel).with_suffix(".py").exists() or (ROOT / rel / "__init__.py").exists()


def _imports(path: pathlib.Path) -> set[str]:
    """The dualgrad modules ``path`` imports, at module level or deferred."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != "dualgrad" and not target.startswith("dualgrad."):
                continue
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                sub = f"{target}.{alias.name}"
                out.add(sub if _is_module(sub) else target)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.split(".")[0] == "dualgrad")
    out.discard(name)
    return out


GRAPH = {_module_name(p): _imports(p) for p in sorted(ROOT.rglob("*.py"))}


def _layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1 or not (ROOT / parts[1]).is_dir():
        return TOP
    return parts[1]


def _rank(layer: str) -> int:
    return LAYERS.index(layer)


def test_every_package_is_a_layer_and_the_top_holds_only_public_files():
    packages = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert packages == sorted(set(LAYERS) - {TOP}), \
        "a new package needs its place in LAYERS and docs/design.md"
    files = {p.name for p in ROOT.glob("*.py")}
    assert files == PUBLIC_FILES, (
        f"top-level files are public import paths only; move {sorted(files - PUBLIC_FILES)} "
        "into a layer package")


def test_no_import_runs_up_the_layers():
    upward = [f"{m} -> {t}" for m, targets in GRAPH.items() for t in sorted(targets)
              if _rank(_layer(t)) > _rank(_layer(m))]
    assert not upward, "imports that run up the layers:\n" + "\n".join(upward)


def test_core_imports_nothing_from_the_rest_of_dualgrad():
    outside = [f"{m} -> {t}" for m, targets in GRAPH.items() if _layer(m) == "core"
               for t in targets if _layer(t) != "core"]
    assert not outside


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in GRAPH.get(v, ()):
            if w not in GRAPH:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in GRAPH:
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    cycles = _cycles()
    assert not cycles, "import cycles:\n" + "\n".join(" <-> ".join(c) for c in cycles)


@pytest.mark.parametrize("bad, good", [("dualgrad.transforms.gradients", "dualgrad.core"),
                                       ("dualgrad.numpy", "dualgrad.rules")])
def test_the_checker_sees_an_upward_edge(bad, good):
    """The layer order itself: these edges would run up (so the tests above can fail)."""
    assert _rank(_layer(bad)) > _rank(_layer(good))
    assert not (_rank(_layer(good)) > _rank(_layer(bad)))


PUBLIC_MODULES = [
    "dualgrad", "dualgrad.numpy", "dualgrad.numpy.linalg", "dualgrad.numpy.fft",
    "dualgrad.numpy.random", "dualgrad.numpy.numpy_boxes", "dualgrad.numpy.numpy_vjps",
    "dualgrad.scipy", "dualgrad.scipy.special", "dualgrad.scipy.stats", "dualgrad.scipy.linalg",
    "dualgrad.scipy.signal", "dualgrad.scipy.integrate", "dualgrad.scipy.stats.norm",
    "dualgrad.graph", "dualgrad.extend", "dualgrad.test_util", "dualgrad.sparse",
    "dualgrad.core", "dualgrad.transforms", "dualgrad.tracer", "dualgrad.util",
    "dualgrad.wrap_util", "dualgrad.differential_operators", "dualgrad.builtins",
    "dualgrad.autograd_alias", "dualgrad.misc", "dualgrad.misc.flatten",
    "dualgrad.misc.optimizers", "dualgrad.misc.fixed_points", "dualgrad.misc.tracers",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_public_import_path_keeps_working(name):
    import importlib
    module = importlib.import_module(name)
    for attr in getattr(module, "__all__", ()):
        assert getattr(module, attr) is not None, f"{name}.{attr}"


def test_core_names_used_in_messages_resolve():
    """Error messages tell users to call these by their dotted names."""
    from dualgrad.core import getval, vspace  # noqa: F401
    from dualgrad.transforms import jacobian, pick_mode, vmap  # noqa: F401
    from dualgrad.sparse import hessian_sparsity, jacobian_sparsity  # noqa: F401


def test_every_package_has_an_init_file():
    """setuptools' find_packages (setup.cfg) ships only folders with an __init__.py."""
    missing = [str(d.relative_to(ROOT)) for d in ROOT.rglob("*") if d.is_dir()
               and d.name != "__pycache__" and any(d.glob("*.py")) and not (d / "__init__.py").exists()]
    assert not missing
