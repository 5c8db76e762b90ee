"""``dualgrad.scipy.stats``: the distributions autograd covers, differentiable in
every continuous parameter (see ``dualgrad/rules/scipy_stats.py``).

``from dualgrad.scipy.stats import norm`` and ``import dualgrad.scipy.stats.norm``
both work, as in autograd.
"""
from . import beta, chi2, dirichlet, gamma, multivariate_normal, norm, poisson, t  # noqa: F401
