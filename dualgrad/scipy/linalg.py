"""``dualgrad.scipy.linalg``: scipy.linalg, differentiable where rules exist
(see ``dualgrad/rules/scipy_linalg.py``); other functions refuse traced values
with an error that names them."""
import typing as _typing

import scipy.linalg as _sla

from ..numpy import _wrap
from ..rules.scipy_linalg import SCIPY_LINALG as _RULES

KINDS = _wrap.build(globals(), _sla, _RULES, frozenset(), "scipy.linalg.",
                    register=False)

if _typing.TYPE_CHECKING:  # the names are made at import time (_wrap.build): to a type checker, Any
    def __getattr__(name: str) -> _typing.Any: ...
