"""autograd.numpy.numpy_jvps: autograd's forward-mode rules for numpy.

dualgrad's JVP rules live in its rule tables (``dualgrad.extend.JVP_RULES``, read and
written in autograd's form through ``autograd.core.primitive_jvps``); autograd's rule
helpers (``fwd_grad_chooser``, ``forward_grad_np_std``...) are refused by name. The
extension names autograd re-exports here are provided.
"""
from __future__ import annotations

import numpy as onp  # noqa: F401  (autograd's namespace)

from .. import numpy as anp  # noqa: F401
from ..extend import def_linear, defjvp, defjvp_argnum  # noqa: F401
from ..util import func  # noqa: F401
from ..core import vspace  # noqa: F401
from ._refuse import refuser
from .core import JVPNode  # noqa: F401
from .numpy_boxes import ArrayBox  # noqa: F401
from .tracer import register_notrace  # noqa: F401

nograd_functions: list = []  # autograd's list of numpy functions with no derivative

__getattr__ = refuser(__name__, {}, default=(
    "it is one of autograd's own forward-mode rule helpers. dualgrad's JVP rules are in its "
    "rule tables: read one with autograd.core.primitive_jvps[f] (or "
    "dualgrad.extend.JVP_RULES[f]), write one with dualgrad.extend.defjvp."))
