"""Modules that stand in for autograd's internal modules under ``dualgrad.autograd_alias``.

autograd's module names that dualgrad keeps at the top level (``tracer``, ``util``,
``wrap_util``, ``differential_operators``, ``builtins``, ``extend``, ``test_util``)
are public import paths of dualgrad too. The rest of autograd's internals have
their counterparts here, and the alias enters each under its autograd name
(``autograd.core`` is ``dualgrad.compat.core``). This is the top layer: it may
import anything in dualgrad.
"""
