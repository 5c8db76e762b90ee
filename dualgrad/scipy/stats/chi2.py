"""``dualgrad.scipy.stats.chi2``: scipy.stats.chi2's functions, differentiable."""
import typing as _typing

from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["chi2"]))
__all__ = [n for n in vars(_FAMILIES["chi2"]) if not n.startswith("_")]

if _typing.TYPE_CHECKING:  # the names are copied in at import time: to a type checker, Any
    def __getattr__(name: str) -> _typing.Any: ...
