"""``dualgrad.numpy.linalg``: numpy.linalg, differentiable where rules exist."""
import numpy.linalg as _onp_linalg

from ..rules import LINALG_RULES as _RULES
from . import _wrap

KINDS = _wrap.build(globals(), _onp_linalg, _RULES, frozenset({"matrix_rank"}),
                    "numpy.linalg.")
