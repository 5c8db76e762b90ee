"""``dualgrad.scipy.stats.chi2``: scipy.stats.chi2's functions, differentiable."""
from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["chi2"]))
__all__ = [n for n in vars(_FAMILIES["chi2"]) if not n.startswith("_")]
