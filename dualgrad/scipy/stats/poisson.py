"""``dualgrad.scipy.stats.poisson``: scipy.stats.poisson's functions, differentiable."""
from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["poisson"]))
__all__ = [n for n in vars(_FAMILIES["poisson"]) if not n.startswith("_")]
