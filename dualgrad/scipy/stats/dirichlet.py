"""``dualgrad.scipy.stats.dirichlet``: scipy.stats.dirichlet's functions, differentiable."""
import typing as _typing

from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["dirichlet"]))
__all__ = [n for n in vars(_FAMILIES["dirichlet"]) if not n.startswith("_")]

if _typing.TYPE_CHECKING:  # the names are copied in at import time: to a type checker, Any
    def __getattr__(name: str) -> _typing.Any: ...
