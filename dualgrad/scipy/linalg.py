"""``dualgrad.scipy.linalg``: scipy.linalg, differentiable where rules exist
(see ``dualgrad/rules/scipy_linalg.py``); other functions refuse traced values
with an error that names them."""
import scipy.linalg as _sla

from ..numpy import _wrap
from ..rules.scipy_linalg import SCIPY_LINALG as _RULES

KINDS = _wrap.build(globals(), _sla, _RULES, frozenset(), "scipy.linalg.",
                    register=False)
