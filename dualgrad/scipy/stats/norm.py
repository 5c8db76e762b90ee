"""``dualgrad.scipy.stats.norm``: scipy.stats.norm's functions, differentiable."""
from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["norm"]))
__all__ = [n for n in vars(_FAMILIES["norm"]) if not n.startswith("_")]
