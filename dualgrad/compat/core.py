"""autograd.core on dualgrad's levels: VJPNode/JVPNode roots, ``backward_pass``, the
rule tables in autograd's ``argnums`` form, vector spaces and sparse cotangents.

- ``VJPNode.new_root()`` / ``JVPNode.new_root(g)``: roots for ``new_box``; a reverse
  box's ``_node`` is dualgrad's tape node (``isinstance(node, VJPNode)`` holds).
- ``backward_pass(g, end_node)``: dualgrad's backward pass over the nodes reachable
  from ``end_node``; returns the cotangent of the trace's root (the last node of
  autograd's toposort). ``g`` may itself be traced: the rules then run on it, recorded.
- ``primitive_vjps[f]`` / ``primitive_jvps[f]``: autograd's makers, read from and
  written into dualgrad's rule tables (``defvjp_argnums``/``defjvp_argnums`` write).
"""
from __future__ import annotations

import warnings  # noqa: F401  (autograd.core's namespace)
from functools import reduce  # noqa: F401
from itertools import count  # noqa: F401
from typing import Callable

from ..core import (ALL, ANY, JVP_RULES, VJP_RULES, Primitive, Tracer, VSpace, getval, isbox,
                    notrace_primitive, primitive, vspace)
from ..extend import def_linear, defjvp, defjvp_argnum  # noqa: F401
from ..interpreters.forward import TangentNode as _TangentNode
from ..interpreters.reverse import Node as TapeNode
from ..interpreters.reverse import _reachable, backward
from ..util import func, subval, toposort  # noqa: F401
from ..util import unary_make_jvp as make_jvp  # noqa: F401
from ..util import unary_make_vjp as make_vjp  # noqa: F401
from ._refuse import refuser
from .nodes import (JVPNode, Node, SparseObject, VJPNode, _copy, _dense,  # noqa: F401
                    defjvp_argnums, defvjp, defvjp_argnum, defvjp_argnums, primitive_jvps,
                    primitive_vjps)
from .tracer import Box, trace  # noqa: F401


def backward_pass(g, end_node):
    """Cotangent of the trace's root for cotangent ``g`` of ``end_node`` (autograd's)."""
    if not isinstance(end_node, TapeNode):
        raise TypeError(f"backward_pass needs the _node of a box traced from a "
                        f"VJPNode.new_root() (a reverse-mode trace), not {type(end_node).__name__}")
    roots = [n for n in _reachable(end_node) if not n.parents]
    root = min(roots, key=lambda n: n.id)  # the first made: the last in autograd's toposort
    return backward(end_node, g, [root])[0]


def add_outgrads(prev_g_flagged, g):
    """autograd's cotangent accumulator: ``(sum, mutable)`` pairs."""
    if prev_g_flagged is None:
        return g, False
    return prev_g_flagged[0] + g, False


def sum_outgrads(gs):
    """autograd's sum of cotangents (None for none)."""
    total = None
    for g in gs:
        total = g if total is None else total + g
    return total


identity_vjp = lambda argnums, *args: lambda g: g  # noqa: E731  (autograd's)
identity_jvp = lambda g, *args, **kwargs: g  # noqa: E731


# ---------------------------------------------------------------------------
# Sparse cotangents
# ---------------------------------------------------------------------------
VSpace.register(SparseObject, lambda x: x.vs)


class SparseBox(Box):
    """autograd's box of a SparseObject."""

    __slots__ = ()


SparseBox.register(SparseObject)
sparse_object_types = {SparseObject, SparseBox}


@primitive
def sparse_add(vs, x_prev, x_new):
    """autograd's ``sparse_add``: the dense ``x_prev`` (zeros if None) plus the sparse
    ``x_new``."""
    x_prev = vs.zeros() if x_prev is None else _copy(x_prev)
    return x_new.mut_add(x_prev)


defvjp_argnums(sparse_add, lambda argnums, ans, args, kwargs: lambda g: tuple(g for _ in argnums))
defjvp_argnums(sparse_add, lambda argnums, gs, ans, args, kwargs: sum_outgrads(
    _dense(g) for g in gs))

__getattr__ = refuser(__name__, {
    "primitive_": "autograd's internal name for its primitive decorator; use primitive "
                  "(dualgrad.extend.primitive).",
    "primitive_with_deprecation_warnings": "autograd's internal shim for the deprecated "
                                           "Primitive.defgrad/defvjp spellings; use "
                                           "dualgrad.extend.defvjp.",
    "deprecated_defgrad": "a deprecated autograd spelling; use dualgrad.extend.defvjp.",
    "deprecated_defvjp": "a deprecated autograd spelling; use dualgrad.extend.defvjp.",
    "deprecated_defvjp_is_zero": "a deprecated autograd spelling; give zero rules with "
                                 "dualgrad.extend.defvjp (or none: argnums without rules "
                                 "are refused clearly).",
    "deprecated_defvjp_message": "the text of autograd's deprecation warning; dualgrad warns "
                                 "with its own text, naming dualgrad.extend.defvjp.",
    "translate_vjp": "autograd's converter from its old VJP signatures; register rules "
                     "with dualgrad.extend.defvjp / defvjp_argnums instead.",
    "translate_jvp": "autograd's converter from its old JVP signatures; register rules "
                     "with dualgrad.extend.defjvp / defjvp_argnums instead.",
})

__all__ = ["VJPNode", "JVPNode", "Node", "Box", "backward_pass", "make_vjp", "make_jvp",
           "primitive_vjps", "primitive_jvps", "defvjp_argnums", "defjvp_argnums", "defvjp",
           "defjvp", "defvjp_argnum", "defjvp_argnum", "def_linear", "vspace", "VSpace",
           "SparseObject", "SparseBox", "sparse_add", "sparse_object_types", "add_outgrads",
           "sum_outgrads", "identity_vjp", "identity_jvp", "trace", "toposort", "func",
           "subval", "getval", "isbox", "primitive"]
