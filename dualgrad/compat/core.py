"""``autograd.core`` under ``dualgrad.autograd_alias``: the names autograd code imports from it.

- ``primitive_vjps`` / ``primitive_jvps``: the rule tables ``VJP_RULES`` / ``JVP_RULES``
  (dualgrad's rule signatures, ``rule(g_or_t, ans, *args, **kwargs)``, not autograd's makers);
- ``make_vjp(fun, x)`` / ``make_jvp(fun, x)``: autograd.core's unary forms;
- ``vspace``, ``VSpace``, ``defvjp``, ``defjvp``, ``defvjp_argnum``, ``defjvp_argnum``,
  ``def_linear``, ``primitive``, ``notrace_primitive``, ``getval``: dualgrad's own.
"""
from __future__ import annotations

from ..core import (JVP_RULES, VJP_RULES, VSpace, getval, notrace_primitive, primitive,
                    vspace)
from ..extend import def_linear, defjvp, defjvp_argnum, defvjp, defvjp_argnum
from ..util import unary_make_jvp as make_jvp
from ..util import unary_make_vjp as make_vjp

primitive_vjps = VJP_RULES
primitive_jvps = JVP_RULES

__all__ = ["primitive_vjps", "primitive_jvps", "make_vjp", "make_jvp", "vspace", "VSpace",
           "defvjp", "defjvp", "defvjp_argnum", "defjvp_argnum", "def_linear", "primitive",
           "notrace_primitive", "getval"]
