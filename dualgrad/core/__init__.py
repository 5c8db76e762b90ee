"""The tracing core (layer 0): primitives and their rule tables, the Tracer, levels,
errors, pytrees, vector spaces, residual declarations and duck arrays.

This package imports nothing from the rest of dualgrad; every other layer builds
on it (``tests/test_layers.py`` checks that). Its modules, bottom up:

- ``errors``: every exception dualgrad raises on purpose, and message helpers;
- ``tracer``: the ``Tracer`` (the array face, NEP 13/18, copy-on-write), ``getval``;
- ``levels``: trace levels, one per active transform, per thread;
- ``trees``, ``duck``, ``spaces``: pytrees, duck arrays, vector spaces and the dtype promise;
- ``primitives``: ``Primitive``, ``JVP_RULES``/``VJP_RULES``, ``def_jvp``/``def_vjp``;
- ``residuals``: what the tape keeps of each primitive application.

(The modules are ``spaces`` and ``primitives``, not ``vspace`` and ``primitive``, so that the
functions ``dualgrad.core.vspace`` and ``dualgrad.core.primitive`` do not hide them.)

The names below are this package's public face (``dualgrad.core.getval`` and
friends, named in error messages).
"""
from .errors import (BatchingError, DifferentiationError, MissingRuleError, PerformanceWarning,
                     TraceError, UnexpectedTracerError, log, stale_tracer_message, warn)
from .tracer import (ARRAY_FROM_SEQUENCE, INDEX_UPDATE, NUMPY_OVERRIDES, Tracer, getval,
                     holds_tracer, install_methods, is_differentiable, isbox, ndim_of, peek,
                     shape_of, static_index, unsupported, PLAIN_FLOATS, plain_if_pending)
from .levels import Level, check_live, instrument
from .trees import (LEAF, TreeDef, is_container, register_pytree_node, tree_flatten, tree_map,
                    tree_unflatten)
from .duck import is_duck_array
from .spaces import ArrayVSpace, ContainerVSpace, VSpace, in_dtype_of, vspace
from .primitives import (ALL, ANY, JVP_RULES, VJP_RULES, Primitive, ViewPrimitive,
                         notrace_primitive, plain_function, primitive, saved_values)

__all__ = ["BatchingError", "DifferentiationError", "MissingRuleError", "UnexpectedTracerError",
           "PerformanceWarning", "TraceError", "warn", "log", "stale_tracer_message", "ARRAY_FROM_SEQUENCE",
           "INDEX_UPDATE",
           "NUMPY_OVERRIDES", "Tracer", "getval", "holds_tracer", "install_methods",
           "is_differentiable", "isbox", "ndim_of", "peek", "shape_of", "static_index",
           "unsupported", "plain_if_pending",
           "PLAIN_FLOATS", "Level", "check_live", "instrument",
           "LEAF", "TreeDef", "is_container", "register_pytree_node", "tree_flatten", "tree_map", "tree_unflatten",
           "is_duck_array", "ArrayVSpace", "ContainerVSpace", "VSpace", "in_dtype_of", "vspace",
           "ALL", "ANY", "JVP_RULES", "VJP_RULES", "Primitive", "ViewPrimitive",
           "notrace_primitive", "plain_function",
           "primitive", "saved_values"]
