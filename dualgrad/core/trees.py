"""Pytrees: the tuples, lists, dicts and namedtuples of values that transforms take and give.

``tree_flatten(x)`` gives the leaves and a ``TreeDef`` (the structure with the
leaves left out); ``tree_unflatten`` puts leaves back; ``tree_map`` applies a
function leaf by leaf. Imports nothing from dualgrad.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

from .tracer import Tracer, getval


class TreeDef:
    """The structure of a container, with leaves left out."""

    __slots__ = ("kind", "meta", "children")

    def __init__(self, kind, meta, children):
        self.kind, self.meta, self.children = kind, meta, children

    def __eq__(self, other):
        return (isinstance(other, TreeDef) and self.kind == other.kind
                and self.meta == other.meta and self.children == other.children)

    def __hash__(self):
        return hash((self.kind, self.meta, tuple(self.children)))

    def __repr__(self):
        if self.kind is None:
            return "*"
        if self.kind is dict:
            return "{" + ", ".join(f"{k!r}: {c}" for k, c in zip(self.meta, self.children)) + "}"
        inner = ", ".join(map(repr, self.children))
        return f"[{inner}]" if self.kind is list else f"({inner})"


LEAF = TreeDef(None, None, ())


def is_container(x) -> bool:
    return type(x) in (tuple, list, dict) or (isinstance(x, tuple) and hasattr(x, "_fields"))


def tree_flatten(x) -> tuple[list, TreeDef]:
    leaves: list = []
    return leaves, _flatten(x, leaves)


def _flatten(x, leaves) -> TreeDef:
    if isinstance(x, dict):
        keys = tuple(x.keys())
        return TreeDef(dict, keys, tuple(_flatten(x[k], leaves) for k in keys))
    if is_container(x):
        return TreeDef(type(x), None, tuple(_flatten(c, leaves) for c in x))
    if isinstance(x, Tracer) and isinstance(getval(x), (tuple, list)):
        # a traced tuple or list (autograd's SequenceBox): its elements, each traced
        kind = list if isinstance(getval(x), list) else tuple
        return TreeDef(kind, None, tuple(_flatten(x[i], leaves) for i in range(len(x))))
    leaves.append(x)
    return LEAF


def tree_unflatten(treedef: TreeDef, leaves) -> Any:
    it = iter(leaves)
    return _unflatten(treedef, it)


def _unflatten(td: TreeDef, it: Iterator):
    if td.kind is None:
        return next(it)
    children = [_unflatten(c, it) for c in td.children]
    if td.kind is dict:
        return dict(zip(td.meta, children))
    if hasattr(td.kind, "_fields"):
        return td.kind(*children)
    return td.kind(children)


def tree_map(f: Callable, tree, *rest):
    leaves, td = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return tree_unflatten(td, [f(*xs) for xs in zip(leaves, *others)])


__all__ = ["TreeDef", "LEAF", "tree_flatten", "tree_unflatten", "tree_map", "is_container"]
