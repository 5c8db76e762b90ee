"""``dualgrad.scipy.integrate``: scipy.integrate, with a differentiable ``odeint``
(adjoint method in reverse mode, forward sensitivities in forward mode; see
``dualgrad/rules/scipy_integrate.py``); other functions refuse traced values
with an error that names them."""
import typing as _typing

import scipy.integrate as _sint

from ..numpy import _wrap
from ..rules.scipy_integrate import INTEGRATE as _RULES

KINDS = _wrap.build(globals(), _sint, _RULES, frozenset(), "scipy.integrate.", register=False)

if _typing.TYPE_CHECKING:  # the names are made at import time (_wrap.build): to a type checker, Any
    def __getattr__(name: str) -> _typing.Any: ...
