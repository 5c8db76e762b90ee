"""``dualgrad.scipy.signal``: scipy.signal, with a differentiable ``convolve``
(see ``dualgrad/rules/scipy_signal.py``); other functions refuse traced values
with an error that names them."""
import scipy.signal as _ssig

from ..numpy import _wrap
from ..rules.scipy_signal import SIGNAL as _RULES

KINDS = _wrap.build(globals(), _ssig, _RULES, frozenset(), "scipy.signal.", register=False)
