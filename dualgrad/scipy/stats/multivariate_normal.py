"""``dualgrad.scipy.stats.multivariate_normal``: scipy.stats.multivariate_normal, differentiable."""
import typing as _typing

from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["multivariate_normal"]))
__all__ = [n for n in vars(_FAMILIES["multivariate_normal"]) if not n.startswith("_")]

if _typing.TYPE_CHECKING:  # the names are copied in at import time: to a type checker, Any
    def __getattr__(name: str) -> _typing.Any: ...
