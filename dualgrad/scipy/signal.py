"""``dualgrad.scipy.signal``: scipy.signal, with a differentiable ``convolve``
(see ``dualgrad/rules/scipy_signal.py``); other functions refuse traced values
with an error that names them."""
import typing as _typing

import scipy.signal as _ssig

from ..numpy import _wrap
from ..rules.scipy_signal import SIGNAL as _RULES

KINDS = _wrap.build(globals(), _ssig, _RULES, frozenset(), "scipy.signal.", register=False)

if _typing.TYPE_CHECKING:  # the names are made at import time (_wrap.build): to a type checker, Any
    def __getattr__(name: str) -> _typing.Any: ...
