"""``dualgrad.scipy.stats.dirichlet``: scipy.stats.dirichlet's functions, differentiable."""
from ...rules.scipy_stats import FAMILIES as _FAMILIES

globals().update(vars(_FAMILIES["dirichlet"]))
__all__ = [n for n in vars(_FAMILIES["dirichlet"]) if not n.startswith("_")]
