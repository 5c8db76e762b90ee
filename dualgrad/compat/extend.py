"""autograd.extend: dualgrad's extension API with autograd's internals beside it.

Everything of ``dualgrad.extend`` (the same functions), and autograd's ``Box`` (the
base of user box classes, ``Box.register``), ``VJPNode``/``JVPNode``, ``SparseObject``,
``defvjp_argnums``/``defjvp_argnums`` and ``register_notrace``.
"""
from ..extend import *  # noqa: F401,F403
from ..extend import __all__ as _ours
from .core import (JVPNode, SparseObject, VJPNode, defjvp_argnums,  # noqa: F401
                   defvjp_argnums)
from .nodes import defvjp, defvjp_argnum  # noqa: F401  (a VJP may give a SparseObject)
from .tracer import Box, register_notrace  # noqa: F401

__all__ = sorted(set(_ours) | {"Box", "VJPNode", "JVPNode", "SparseObject", "defvjp_argnums",
                               "defjvp_argnums", "register_notrace"})
