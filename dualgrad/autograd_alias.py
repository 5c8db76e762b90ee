"""Run code written for autograd on dualgrad without editing its imports.

``install()`` makes ``import autograd``, ``import autograd.numpy as np``,
``from autograd.scipy.special import gammaln`` and every other ``autograd.X``
import resolve to ``dualgrad.X``: each dualgrad module is entered in
``sys.modules`` under its autograd name, so both names are the same module
object (one set of rule tables, one ``isinstance`` world). autograd's internal
modules (``autograd.core``, ``autograd.tracer``, ``autograd.extend``,
``autograd.builtins``, ``autograd.numpy.numpy_{boxes,vspaces,jvps,wrapper}``) are
served by the explicit
table ``_STAND_INS`` from ``dualgrad.compat``, the compatibility layer built on
dualgrad's levels; dualgrad's own modules of those names keep their names. An
autograd module that dualgrad does not have fails with ``ModuleNotFoundError``
naming it, instead of quietly loading the real autograd beside dualgrad.

While the alias is installed, dualgrad's tracer classes report the module
``autograd.numpy.numpy_boxes`` (``type(x).__module__``), where autograd's boxes
live: libraries that dispatch on it (autoray, so PennyLane's ``qml.math``) then
see a traced value as autograd's, as they must.

From the command line, ``python -m dualgrad.autograd_alias script.py [args]``
runs a script with the alias installed; ``python -m dualgrad.autograd_alias
-m pytest ...`` runs a module (autograd's own test suite is run that way by
``tests/test_autograd_suite.py``).
"""
from __future__ import annotations

import importlib
import importlib.abc
import pkgutil
import runpy
import sys
import types

import dualgrad

_OLD = "autograd"
_NEW = "dualgrad"
# Modules of ours that are not part of autograd's surface (nothing imports them
# under an autograd name) or that start work when imported.
_SKIP = {"dualgrad.__main__", "dualgrad.tools", "dualgrad.autograd_alias", "dualgrad.compat"}
# autograd's internal modules, each served by a compatibility module of ours.
_STAND_INS = {
    "dualgrad.compat.core": "autograd.core",
    "dualgrad.compat.tracer": "autograd.tracer",
    "dualgrad.compat.extend": "autograd.extend",
    "dualgrad.compat.builtins": "autograd.builtins",
    "dualgrad.compat.numpy_boxes": "autograd.numpy.numpy_boxes",
    "dualgrad.compat.numpy_vspaces": "autograd.numpy.numpy_vspaces",
    "dualgrad.compat.numpy_jvps": "autograd.numpy.numpy_jvps",
    "dualgrad.compat.numpy_wrapper": "autograd.numpy.numpy_wrapper",
    "dualgrad.compat.differential_operators": "autograd.differential_operators",
}
# Names autograd.numpy has beyond numpy's, from its numpy_wrapper: set on the module while
# the alias is installed (dualgrad.numpy cannot import the compat layer above it).
_NUMPY_EXTRAS = ("array_from_args", "concatenate_args", "metadata", "notrace_functions",
                 "numpy_version", "parse_einsum_input", "wrap_if_boxes_inside",
                 "wrap_intdtype", "wrap_namespace", "primitive", "notrace_primitive", "Box")
_BOX_MODULE = "autograd.numpy.numpy_boxes"
_MISSING = object()
_saved: dict = {}  # (object, attribute) -> its value before install() (restored by uninstall)


def _our_modules() -> dict[str, str]:
    """{dualgrad module: the autograd name it answers to}."""
    names = {_NEW: _OLD}
    for info in pkgutil.walk_packages(dualgrad.__path__, prefix=_NEW + "."):
        if any(info.name == s or info.name.startswith(s + ".") for s in _SKIP):
            continue
        if not info.name.rsplit(".", 1)[-1].startswith("_"):
            names[info.name] = _OLD + info.name[len(_NEW):]
    for ours, theirs in _STAND_INS.items():
        names = {k: v for k, v in names.items() if v != theirs}
        names[ours] = theirs
    return names


class _Refuse(importlib.abc.MetaPathFinder):
    """Refuses ``autograd.X`` names that dualgrad lacks, with a clear error."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname == _OLD or fullname.startswith(_OLD + "."):
            raise ModuleNotFoundError(
                f"{fullname} has no dualgrad counterpart ({_NEW}{fullname[len(_OLD):]} does "
                "not exist), so the autograd alias cannot provide it. Import what you need "
                "from dualgrad's modules instead.", name=fullname)
        return None


_FINDER = _Refuse()


class _View(types.ModuleType):
    """``autograd`` under the alias: every attribute of ``dualgrad``, except the
    submodules set on it (stand-ins for autograd's internals)."""

    def __getattr__(self, name):
        return getattr(dualgrad, name)

    def __dir__(self):
        return sorted(set(dir(dualgrad)) | set(self.__dict__))


def install() -> None:
    """Alias every ``autograd.X`` module name to ``dualgrad.X`` in this process.

    Call it before the code that imports autograd runs. A real autograd
    imported earlier is replaced in ``sys.modules`` (objects already taken from
    it stay autograd's). ``python -m dualgrad.autograd_alias script.py`` does
    the same for a whole script.

    Parameters
    ----------
    None

    Returns
    -------
    None

    Raises
    ------
    ImportError
        Later, when the aliased code imports one of autograd's internals that
        dualgrad has no stand-in for; the message names it.

    Examples
    --------
    >>> import sys
    >>> from dualgrad import autograd_alias
    >>> saved = {k: m for k, m in sys.modules.items() if k.split(".")[0] == "autograd"}
    >>> autograd_alias.install()
    >>> import autograd, autograd.numpy as anp
    >>> float(autograd.grad(anp.sin)(0.0))
    1.0
    >>> autograd.grad.__module__.startswith("dualgrad")
    True
    >>> autograd_alias.uninstall(); sys.modules.update(saved)  # as before the example
    """
    for name in list(sys.modules):
        if name == _OLD or name.startswith(_OLD + "."):
            del sys.modules[name]
    for name, alias in _our_modules().items():
        sys.modules[alias] = importlib.import_module(name)
    # ``autograd`` itself is a view of the ``dualgrad`` package whose stand-in
    # submodules win (``import autograd.core`` binds the attribute of ``autograd``).
    top = _View(_OLD)
    sys.modules[_OLD] = top
    top.jacobian = sys.modules["autograd.differential_operators"].jacobian  # autograd's: rev
    for ours, theirs in _STAND_INS.items():  # each stand-in is its parent's attribute too
        parent, _, child = theirs.rpartition(".")
        if parent == _OLD:
            setattr(top, child, sys.modules[theirs])
        else:  # autograd.numpy is dualgrad.numpy: set, and restored by uninstall()
            _set(sys.modules[parent], child, sys.modules[theirs])
    wrapper = sys.modules["autograd.numpy.numpy_wrapper"]
    for name in _NUMPY_EXTRAS:
        _set(sys.modules["autograd.numpy"], name, getattr(wrapper, name))
    for cls in _tracer_classes():
        _set(cls, "__module__", _BOX_MODULE)
    _set(sys.modules["dualgrad.interpreters.reverse"], "WARN_INDEPENDENT", True)
    _set(sys.modules["dualgrad.core.tracer"], "OBJECT_ARRAYS", True)
    for name, alias in _our_modules().items():
        if name != _NEW:
            _set(sys.modules[alias], "__getattr__", _fallback(sys.modules[alias], alias))
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


# Names autograd's modules import or define for their own use (numpy as np, functools'
# partial, the extension functions...): under the alias, a dualgrad module answers a
# name of this table it lacks with the object autograd's name stands for.
def _common(name: str):
    if name.startswith("_"):  # dunders (``__all__``, ``__path__``) are never autograd's names
        raise AttributeError(name)
    import functools
    import importlib
    import itertools
    import numpy
    table = {
        "np": "dualgrad.numpy", "anp": "dualgrad.numpy", "onp": "numpy", "npo": "numpy",
        "npr": "numpy.random", "npla": "numpy.linalg", "ffto": "numpy.fft", "scipy": "scipy",
        "warnings": "warnings", "builtins": "dualgrad.builtins", "autograd": "dualgrad",
    }
    if name in table:
        return importlib.import_module(table[name])
    objects = {"partial": functools.partial, "wraps": functools.wraps,
               "reduce": functools.reduce, "product": itertools.product,
               "repeat": itertools.repeat}
    if name in objects:
        return objects[name]
    if name in ("OrderedDict", "defaultdict"):
        return getattr(importlib.import_module("collections"), name)
    if name == "contextmanager":
        return importlib.import_module("contextlib").contextmanager
    if name in ("psi", "digamma", "gamma", "beta"):  # scipy.stats modules' special functions
        return getattr(importlib.import_module("dualgrad.scipy.special"), name)
    if name == "as_strided":
        return numpy.lib.stride_tricks.as_strided
    if name in ("root_pi", "inv_root_pi"):  # autograd.scipy.special's constants
        return numpy.sqrt(numpy.pi) ** (1 if name == "root_pi" else -1)
    if name == "flatten":  # autograd.scipy.integrate imports autograd.misc's
        return importlib.import_module("dualgrad.misc.flatten").flatten
    for module in ("dualgrad.compat.extend", "dualgrad.compat.core", "dualgrad.compat.tracer",
                   "dualgrad.util", "dualgrad.wrap_util", "dualgrad.numpy.numpy_vjps",
                   "dualgrad.compat.numpy_wrapper", "dualgrad.compat.builtins",
                   "dualgrad.compat.numpy_boxes"):
        mod = importlib.import_module(module)
        if name in mod.__dict__:  # never getattr: these modules' own __getattr__ may come here
            return mod.__dict__[name]
    raise AttributeError(name)


_HELPER = ("one of autograd's own rule helpers or internals, not part of its API. dualgrad's "
           "rules live in its rule tables: read one with autograd.core.primitive_vjps[f] or "
           "primitive_jvps[f] (dualgrad.extend.VJP_RULES / JVP_RULES), write one with "
           "dualgrad.extend.defvjp / defjvp.")


def _fallback(module, alias: str):
    """A ``__getattr__`` for a module under its autograd name: its own ``__getattr__``
    first, then the names of ``_common``, then a refusal naming the dualgrad way
    (``dualgrad.core.errors.NotProvidedError``: the module's own reason if it gave one)."""
    from dualgrad.core.errors import NotProvidedError, refuser
    own = module.__dict__.get("__getattr__")
    refuse = refuser(alias, {}, default=_HELPER)

    def __getattr__(name):
        refusal = None
        if own is not None:
            try:
                return own(name)
            except NotProvidedError as exc:
                refusal = exc
            except AttributeError:
                pass
        try:
            return _common(name)
        except AttributeError:
            pass
        if refusal is not None:
            raise refusal
        return refuse(name)
    return __getattr__


def _set(obj, name: str, value) -> None:
    """``setattr``, remembering the value before ``install()`` for ``uninstall()``."""
    _saved.setdefault((obj, name), obj.__dict__.get(name, _MISSING))
    setattr(obj, name, value)


def _tracer_classes() -> list[type]:
    """dualgrad's tracer classes (every subclass of Tracer made so far)."""
    from dualgrad.core import Tracer
    out, todo = [], [Tracer]
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return out


def uninstall() -> None:
    """Undo ``install()``: autograd names are free again (the next
    ``import autograd`` finds the real one, if installed).

    Parameters
    ----------
    None

    Returns
    -------
    None

    Raises
    ------
    Nothing
        Also safe when ``install()`` was not called.

    Examples
    --------
    >>> import sys
    >>> from dualgrad import autograd_alias
    >>> saved = {k: m for k, m in sys.modules.items() if k.split(".")[0] == "autograd"}
    >>> autograd_alias.install()
    >>> sys.modules["autograd"].grad.__module__.startswith("dualgrad")
    True
    >>> autograd_alias.uninstall()
    >>> "autograd" in sys.modules
    False
    >>> sys.modules.update(saved)  # a real autograd imported before comes back
    """
    for name in list(sys.modules):
        if name == _OLD or name.startswith(_OLD + "."):
            del sys.modules[name]
    for (obj, name), value in _saved.items():
        if value is _MISSING:
            delattr(obj, name)
        else:
            setattr(obj, name, value)
    _saved.clear()
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)


def main(argv: list[str] | None = None) -> None:
    """``python -m dualgrad.autograd_alias script.py [args]`` or ``-m module [args]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        raise SystemExit("usage: python -m dualgrad.autograd_alias (script.py | -m module) [args]")
    install()
    if argv[0] == "-m" and len(argv) > 1:
        sys.argv = argv[1:]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = argv
        runpy.run_path(argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
