"""autograd 1.9.1's whole public surface resolves under the alias.

Every public module of the autograd package in the sdist (``tests/autograd_sdist.py``
fetches it) and every public name each one has (``dir()`` of the module, imported from
the sdist's source in a subprocess of its own) is looked up under
``dualgrad.autograd_alias``. Each must be an object, or raise an AttributeError whose
message names the dualgrad way (``dualgrad.compat._refuse.NotProvidedError``: an
autograd internal without a meaning here). The test also checks the refusals are few
and are what the README's "Not provided" list says.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.autograd_sdist import SdistUnavailable, run_aliased, sdist_dir

LIST = textwrap.dedent("""
    import importlib, json, pkgutil, sys
    sys.path.insert(0, sys.argv[1])
    import autograd
    assert autograd.__file__.startswith(sys.argv[1]), autograd.__file__
    mods = ["autograd"] + [m.name for m in pkgutil.walk_packages(autograd.__path__, "autograd.")
                           if not any(p.startswith("_") for p in m.name.split(".")[1:])]
    print(json.dumps({m: sorted(n for n in dir(importlib.import_module(m))
                                if not n.startswith("_")) for m in mods}))
""")
CHECK = textwrap.dedent("""
    import importlib, json, sys
    surface = json.load(open(sys.argv[1]))
    out = {}
    for m, names in surface.items():
        try:
            mod = importlib.import_module(m)
        except Exception as e:
            out[m] = {"<module>": f"{type(e).__name__}: {e}"}
            continue
        for n in names:
            try:
                getattr(mod, n)
            except Exception as e:
                out.setdefault(m, {})[n] = f"{type(e).__name__}: {e}"
    print(json.dumps(out))
""")


@pytest.fixture(scope="module")
def surface(tmp_path_factory) -> dict:
    try:
        root = sdist_dir()
    except SdistUnavailable as exc:
        pytest.skip(f"autograd's sdist is not available: {exc}")
    proc = subprocess.run([sys.executable, "-c", LIST, str(root)], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path_factory.mktemp("list"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def refused(surface, tmp_path_factory) -> dict:
    tmp = tmp_path_factory.mktemp("check")
    (tmp / "surface.json").write_text(json.dumps(surface))
    (tmp / "check.py").write_text(CHECK)
    proc = run_aliased([str(tmp / "check.py"), str(tmp / "surface.json")], cwd=tmp, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_the_surface_is_autograds_whole_package(surface):
    assert len(surface) >= 37 and sum(map(len, surface.values())) >= 1700
    for m in ("autograd.core", "autograd.tracer", "autograd.extend", "autograd.numpy.numpy_boxes",
              "autograd.numpy.numpy_vspaces", "autograd.numpy.numpy_jvps",
              "autograd.numpy.numpy_wrapper"):
        assert m in surface


def test_every_module_and_name_resolves_or_names_the_dualgrad_way(refused):
    modules = {m: v["<module>"] for m, v in refused.items() if "<module>" in v}
    assert not modules, f"autograd modules that do not import under the alias: {modules}"
    silent = {f"{m}.{n}": why for m, names in refused.items() for n, why in names.items()
              if not (why.startswith("NotProvidedError") and "dualgrad" in why.split(":", 2)[2])}
    assert not silent, f"names missing without a message naming the dualgrad way: {silent}"


def test_the_names_item_17_lists_have_a_meaning(refused):
    for name in ("defvjp_argnums", "defjvp_argnums", "register_notrace", "SparseObject",
                 "VJPNode", "JVPNode", "Box", "vspace", "VSpace"):
        assert name not in refused.get("autograd.extend", {})
    for name in ("VJPNode", "JVPNode", "backward_pass", "make_vjp", "make_jvp", "primitive_vjps",
                 "primitive_jvps", "trace", "toposort", "SparseObject", "SparseBox", "sparse_add"):
        assert name not in refused.get("autograd.core", {})
    for name in ("trace_stack", "new_box", "Node", "trace", "isbox", "getval", "toposort", "Box",
                 "find_top_boxed_args", "register_notrace", "box_type_mappings"):
        assert name not in refused.get("autograd.tracer", {})
    assert "ArrayBox" not in refused.get("autograd.numpy.numpy_boxes", {})
    assert not refused.get("autograd.numpy.numpy_vspaces")
    assert not refused.get("autograd.numpy.numpy_wrapper", {}).keys() - {"c_class", "r_class",
                                                                        "custom_where"}


def test_the_helpers_user_rules_import_resolve(refused):
    """Names downstream rules import (autograd-gamma, surpyval: ``repeat_to_match_shape``,
    ``untake``, ``wrapped_reshape``, ``numpy_jvps.broadcast``), imported names
    (``atuple``, ``flatten``, ``ArrayBox``), constants and numpy.random's own names."""
    wanted = {
        "autograd.numpy.numpy_vjps": {"repeat_to_match_shape", "untake", "wrapped_reshape",
                                      "balanced_eq", "replace_zero", "match_complex",
                                      "ArrayBox"},
        "autograd.numpy.numpy_jvps": {"broadcast", "untake", "balanced_eq", "match_complex",
                                      "replace_zero"},
        "autograd.tracer": {"trace_primitives_map"},
        "autograd.numpy.numpy_boxes": {"trace_primitives_map"},
        "autograd.differential_operators": {"atuple"},
        "autograd.scipy.integrate": {"flatten"},
        "autograd.scipy.special": {"root_pi", "inv_root_pi"},
        "autograd.numpy.random": {"get_bit_generator", "set_bit_generator"},
        "autograd.util": {"deprecation_msg"},
        "autograd.numpy": {"c_class", "r_class", "custom_where"},
        "autograd.numpy.numpy_wrapper": {"c_class", "r_class"},
        "autograd.misc.tracers": {"const_graph_unary"},
    }
    for module, names in wanted.items():
        assert not names & refused.get(module, {}).keys(), (module, names & refused[module].keys())


def test_what_is_refused_is_internal_rule_helpers(refused):
    """The refusals are autograd's own rule helpers and internal shims: the modules and
    the count the README's "Not provided" list states."""
    counts = {m: len(v) for m, v in refused.items()}
    assert set(counts) <= {"autograd.numpy.numpy_vjps", "autograd.numpy.numpy_jvps",
                           "autograd.numpy.fft", "autograd.numpy.linalg", "autograd.scipy.special",
                           "autograd.scipy.linalg", "autograd.scipy.signal",
                           "autograd.scipy.integrate", "autograd.scipy.stats.beta",
                           "autograd.scipy.stats.chi2", "autograd.scipy.stats.dirichlet",
                           "autograd.scipy.stats.gamma", "autograd.scipy.stats.multivariate_normal",
                           "autograd.scipy.stats.norm", "autograd.scipy.stats.poisson",
                           "autograd.scipy.stats.t", "autograd.core", "autograd.tracer",
                           "autograd.builtins", "autograd.numpy.numpy_boxes",
                           "autograd.numpy.numpy_wrapper", "autograd.numpy", "autograd.misc.tracers",
                           "autograd.misc.fixed_points", "autograd.misc.flatten",
                           "autograd.misc.optimizers", "autograd.test_util", "autograd.util",
                           "autograd.differential_operators", "autograd.numpy.random"}, counts
    # the README's figure: 120 refused (107 rule makers and their helpers, 8 deprecated-API
    # shims, 3 loop variables, 2 node classes); a name given a meaning lowers it
    assert sum(counts.values()) <= 120, counts
    assert not {"autograd.tracer", "autograd.numpy", "autograd.numpy.numpy_wrapper",
                "autograd.util", "autograd.differential_operators",
                "autograd.numpy.random"} & counts.keys(), counts


def _readme_not_provided() -> dict[str, int]:
    """The figures of the README's "Not provided" item: total, surface, and reasons 1-4."""
    text = " ".join((Path(__file__).parents[1] / "README.md").read_text().split())
    head = re.search(r"Not provided \(`NotProvidedError`[^)]*\): (\d+) of autograd 1\.9\.1's "
                     r"(\d+) public names", text)
    assert head, "the README's drop-in notes lost their 'Not provided' item"
    body = text[head.end():head.end() + 3000]
    figures = {"total": int(head[1]), "surface": int(head[2])}
    for k in "1234":
        m = re.search(rf"\({k}\) (\d+) are", body)
        assert m, f"the README's 'Not provided' item lost its reason ({k})"
        figures[k] = int(m[1])
    return figures


def test_the_readmes_not_provided_list_is_what_is_refused(surface, refused):
    """Each refusal is one of the README's four reasons, and its figures are the counts:
    (2) the pre-1.2 API's machinery in ``core``, (3) loop variables, (4) ``const_graph``'s
    node classes, (1) the rule makers and helpers of the rule modules, the rest."""
    readme = _readme_not_provided()
    names = {f"{m}.{n}" for m, v in refused.items() for n in v}
    deprecated = {f"autograd.core.{n}" for n in refused.get("autograd.core", {})}
    loops = {"autograd.numpy.numpy_vjps.fun", "autograd.numpy.numpy_jvps.fun",
             "autograd.numpy.numpy_boxes.method_name"} & names
    nodes = {f"autograd.misc.tracers.{n}" for n in refused.get("autograd.misc.tracers", {})}
    assert nodes == {"autograd.misc.tracers.ConstGraphNode", "autograd.misc.tracers.FullGraphNode"}
    assert all("deprecat" in n or "translate_" in n or n.endswith(".primitive_")
               for n in deprecated), deprecated
    rules = names - deprecated - loops - nodes
    assert not {n for n in rules if n.startswith(("autograd.core.", "autograd.tracer.",
                                                  "autograd.misc.tracers."))}, rules
    # autograd.numpy re-exports numpy's namespace, so the surface's size follows numpy's:
    # the README's figure is at numpy 2.4, and numpy 2.5 removed row_stack (1785). Other
    # numpy versions (the floors' 2.2 has a few more names) check the refusals only.
    import numpy
    at = {(2, 4): readme["surface"], (2, 5): readme["surface"] - 1}.get(
        tuple(int(p) for p in numpy.__version__.split(".")[:2]))
    if at is not None:
        assert at == sum(map(len, surface.values()))
    assert (readme["total"], readme["1"], readme["2"], readme["3"], readme["4"]) == (
        len(names), len(rules), len(deprecated), len(loops), len(nodes)), (
        "update the README's 'Not provided' figures", sorted(names))
