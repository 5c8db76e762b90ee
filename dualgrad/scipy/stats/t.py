"""``dualgrad.scipy.stats.t``: scipy.stats.t's functions, differentiable."""
from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["t"]))
__all__ = [n for n in vars(_FAMILIES["t"]) if not n.startswith("_")]
