# The type of ``dualgrad.numpy`` for type checkers. Its namespace is built at import time
# from numpy's (``_wrap.build``), so every name in it is ``Any`` here; the functions that
# take it (grad, jacobian, ...) are typed in their own modules.
from typing import Any

from . import fft as fft, linalg as linalg, random as random

KINDS: dict[str, str]
__version__: str

def make_diagonal(D: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any: ...
# named here too, for the package's own `from ..numpy import stack` inside import cycles
concatenate: Any
imag: Any
moveaxis: Any
ravel: Any
real: Any
reshape: Any
stack: Any
sum: Any
tensordot: Any

def __getattr__(name: str) -> Any: ...
