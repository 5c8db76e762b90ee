"""``dualgrad.numpy.fft``: numpy.fft, differentiable where rules exist."""
import typing as _typing

import numpy.fft as _onp_fft

from ..rules import FFT_RULES as _RULES
from . import _wrap

KINDS = _wrap.build(globals(), _onp_fft, _RULES, frozenset(),
                    "numpy.fft.")

if _typing.TYPE_CHECKING:  # the names are made at import time (_wrap.build): to a type checker, Any
    def __getattr__(name: str) -> _typing.Any: ...
