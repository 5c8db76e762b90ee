"""``dualgrad.scipy.stats.multivariate_normal``: scipy.stats.multivariate_normal, differentiable."""
from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["multivariate_normal"]))
__all__ = [n for n in vars(_FAMILIES["multivariate_normal"]) if not n.startswith("_")]
