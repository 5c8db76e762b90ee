"""``dualgrad.scipy.special``: scipy.special, differentiable where rules exist.

Functions with rules (see ``dualgrad/rules/scipy_special.py``) trace; discrete
ones (factorial, comb) see through tracers; any other scipy.special function
raises a clear error when handed a traced value.
"""
import typing as _typing

import scipy.special as _ssp

from ..numpy import _wrap
from ..rules.scipy_special import NONDIFF as _NONDIFF
from ..rules.scipy_special import SPECIAL as _RULES

from ..rules import taylor_special as _taylor_special  # noqa: E402,F401  (their Taylor rules)

KINDS = _wrap.build(globals(), _ssp, _RULES, _NONDIFF, "scipy.special.", register=False)

if _typing.TYPE_CHECKING:  # the names are made at import time (_wrap.build): to a type checker, Any
    def __getattr__(name: str) -> _typing.Any: ...
