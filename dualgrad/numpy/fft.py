"""``dualgrad.numpy.fft``: numpy.fft, differentiable where rules exist."""
import numpy.fft as _onp_fft

from ..rules import FFT_RULES as _RULES
from . import _wrap

KINDS = _wrap.build(globals(), _onp_fft, _RULES, frozenset(),
                    "numpy.fft.")
