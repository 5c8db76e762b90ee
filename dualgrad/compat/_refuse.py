"""Names of autograd's modules that have no meaning on dualgrad: each raises an
AttributeError naming what to use instead (a module ``__getattr__`` built here)."""
from __future__ import annotations

from typing import Callable


class NotProvidedError(AttributeError):
    """An autograd internal dualgrad does not provide; the message names the alternative."""


def refuser(module: str, reasons: dict[str, str], default: str | None = None,
            fallback: Callable[[str], object] | None = None) -> Callable[[str], object]:
    """A module ``__getattr__``: ``fallback(name)`` first (AttributeError: not there),
    then ``reasons[name]`` (or ``default`` for any public name) as the error message."""
    def __getattr__(name: str):
        if fallback is not None:
            try:
                return fallback(name)
            except AttributeError:
                pass
        why = reasons.get(name, default if not name.startswith("_") else None)
        if why is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        raise NotProvidedError(f"{module}.{name} is not provided by dualgrad: {why}")
    return __getattr__
