"""``dualgrad.scipy.stats.gamma``: scipy.stats.gamma's functions, differentiable."""
from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["gamma"]))
__all__ = [n for n in vars(_FAMILIES["gamma"]) if not n.startswith("_")]
