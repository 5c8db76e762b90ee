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

import dualgrad

_OLD = "autograd"
_NEW = "dualgrad"
# Modules of ours that are not part of autograd's surface (nothing imports them
# under an autograd name) or that start work when imported.
_SKIP = {"dualgrad.__main__", "dualgrad.tour", "dualgrad.autograd_alias"}


def _our_modules() -> list[str]:
    names = [_NEW]
    for info in pkgutil.walk_packages(dualgrad.__path__, prefix=_NEW + "."):
        if info.name not in _SKIP and not info.name.rsplit(".", 1)[-1].startswith("_"):
            names.append(info.name)
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


def install() -> None:
    """Alias every ``autograd.X`` module name to ``dualgrad.X`` in this process.

    Call it before the code that imports autograd runs. A real autograd
    imported earlier is replaced in ``sys.modules`` (objects already taken from
    it stay autograd's)."""
    for name in list(sys.modules):
        if name == _OLD or name.startswith(_OLD + "."):
            del sys.modules[name]
    for name in _our_modules():
        module = importlib.import_module(name)
        sys.modules[_OLD + name[len(_NEW):]] = module
    if _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)


def uninstall() -> None:
    """Undo ``install()``: autograd names are free again."""
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
