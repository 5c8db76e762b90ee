"""Compatibility helpers for code written against ``autograd.util``:
``subvals``, ``subval``, ``func``, ``toposort``, and autograd.core's unary
``make_vjp``/``make_jvp`` forms (re-exported by ``dualgrad.core``)."""
from __future__ import annotations

import operator
from typing import Callable, Iterable, Iterator


def subvals(x: Iterable, ivs: Iterable) -> tuple:
    """``x`` as a tuple with ``x[i] = v`` for each ``(i, v)`` in ``ivs``.

    >>> subvals((1, 2, 3), [(0, 'a'), (2, 'c')])
    ('a', 2, 'c')
    """
    out = list(x)
    for i, v in ivs:
        out[i] = v
    return tuple(out)


def subval(x: Iterable, i: int, v) -> tuple:
    """``x`` as a tuple with ``x[i] = v``."""
    return subvals(x, [(i, v)])


def func(f: Callable) -> Callable:
    """The identity on functions (autograd uses it to mark function arguments)."""
    return f


def toposort(end_node, parents: Callable = operator.attrgetter("parents")) -> Iterator:
    """Nodes reachable from ``end_node`` through ``parents(node)``, each after
    every node that has it as a parent (``end_node`` first).

    >>> class N:
    ...     def __init__(self, name, *parents): self.name, self.parents = name, list(parents)
    >>> a = N("a"); b = N("b", a); c = N("c", a, b)
    >>> [n.name for n in toposort(c)]
    ['c', 'b', 'a']
    """
    child_counts: dict = {}
    stack = [end_node]
    while stack:
        node = stack.pop()
        if node in child_counts:
            child_counts[node] += 1
        else:
            child_counts[node] = 1
            stack.extend(parents(node))
    ready = [end_node]
    while ready:
        node = ready.pop()
        yield node
        for parent in parents(node):
            if child_counts[parent] == 1:
                ready.append(parent)
            else:
                child_counts[parent] -= 1


def unary_make_vjp(fun: Callable, x):
    """autograd.core's ``make_vjp(fun, x)``: returns ``(vjp, fun(x))``."""
    from .transforms import make_vjp
    return make_vjp(fun)(x)


def unary_make_jvp(fun: Callable, x):
    """autograd.core's ``make_jvp(fun, x)``: returns ``jvp`` with
    ``jvp(v) = (fun(x), J v)``."""
    from .transforms import make_jvp
    return make_jvp(fun)(x)


__all__ = ["subvals", "subval", "func", "toposort", "unary_make_vjp", "unary_make_jvp"]


# what quick_grad_check warns (autograd's name for its message)
deprecation_msg = "quick_grad_check is deprecated; use dualgrad.test_util.check_grads."


def quick_grad_check(fun: Callable, arg0, extra_args=(), kwargs=None, verbose=True,
                     eps=1e-4, rtol=1e-4, atol=1e-6, rs=None) -> None:
    """Deprecated autograd helper: check ``grad(fun)`` at ``arg0`` against finite
    differences (now ``dualgrad.test_util.check_grads``)."""
    import warnings

    from .test_util import check_grads
    warnings.warn(deprecation_msg, DeprecationWarning, stacklevel=2)
    kwargs = kwargs or {}
    check_grads(lambda x: fun(x, *extra_args, **kwargs), modes=("rev",), order=1)(arg0)
