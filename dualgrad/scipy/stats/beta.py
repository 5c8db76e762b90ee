"""``dualgrad.scipy.stats.beta``: scipy.stats.beta's functions, differentiable."""
from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["beta"]))
__all__ = [n for n in vars(_FAMILIES["beta"]) if not n.startswith("_")]
