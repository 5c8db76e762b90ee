"""``dualgrad.scipy``: scipy's namespaces, differentiable where rules exist.

``import dualgrad.scipy.special as sp`` (or ``.stats``, ``.linalg``, ``.signal``,
``.integrate``) works like the scipy module of the same name. Submodules load
on first use, as scipy's do.
"""
import importlib as _importlib
import types as _types

_SUBMODULES = ("integrate", "linalg", "signal", "special", "stats")


def __getattr__(name: str) -> _types.ModuleType:
    if name in _SUBMODULES:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_SUBMODULES))
