"""Run code written for autograd on dualgrad without editing its imports.

``install()`` makes ``import autograd``, ``import autograd.numpy as np``,
``from autograd.scipy.special import gammaln`` and every other ``autograd.X``
import resolve to ``dualgrad.X``: each dualgrad module is entered in
``sys.modules`` under its autograd name, so both names are the same module
object (one set of rule tables, one ``isinstance`` world). An autograd module
that dualgrad does not have fails with ``ModuleNotFoundError`` naming it,
instead of quietly loading the real autograd beside dualgrad.

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
_STAND_INS = {"dualgrad.compat.core": "autograd.core"}


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
    for ours, theirs in _STAND_INS.items():
        if theirs.count(".") == 1:
            setattr(top, theirs.split(".")[1], sys.modules[theirs])
    sys.modules[_OLD] = top
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


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
