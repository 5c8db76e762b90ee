"""autograd.numpy.numpy_jvps: autograd's forward-mode rules for numpy.

dualgrad's JVP rules live in its rule tables (``dualgrad.extend.JVP_RULES``, read and
written in autograd's form through ``autograd.core.primitive_jvps``); autograd's rule
helpers (``fwd_grad_chooser``, ``forward_grad_np_std``...) are refused by name. The
extension names autograd re-exports here are provided, with the helpers a user's JVP
can call: ``broadcast`` and those shared with ``numpy_vjps`` (``untake``,
``balanced_eq``, ``match_complex``, ``replace_zero``).
"""
from __future__ import annotations

import numpy as onp  # noqa: F401  (autograd's namespace)

from .. import numpy as anp  # noqa: F401
from ..extend import def_linear, defjvp, defjvp_argnum  # noqa: F401
from ..util import func  # noqa: F401
from ..core import shape_of, vspace  # noqa: F401
from ..numpy.numpy_vjps import (balanced_eq, match_complex, nograd_functions,  # noqa: F401
                                replace_zero, untake)
from ._refuse import refuser
from .core import JVPNode  # noqa: F401
from .numpy_boxes import ArrayBox  # noqa: F401
from .tracer import register_notrace  # noqa: F401

def broadcast(x, target):
    """The tangent ``x`` of an argument broadcast to ``target``'s shape (leading axes
    added, axes of length 1 repeated), made complex for a complex target.

    >>> import numpy
    >>> broadcast(numpy.array([1.0, 2.0]), numpy.zeros((2, 2), complex)).tolist()
    [[(1+0j), (2+0j)], [(1+0j), (2+0j)]]
    """
    shape = shape_of(target)
    x = anp.broadcast_to(anp.reshape(x, (1,) * (len(shape) - anp.ndim(x)) + shape_of(x)),
                         shape)
    if onp.iscomplexobj(target) and not onp.iscomplexobj(x):
        x = x + 0j
    return x



__getattr__ = refuser(__name__, {}, default=(
    "it is one of autograd's own forward-mode rule helpers. dualgrad's JVP rules are in its "
    "rule tables: read one with autograd.core.primitive_jvps[f] (or "
    "dualgrad.extend.JVP_RULES[f]), write one with dualgrad.extend.defjvp."))
