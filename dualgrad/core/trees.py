"""Pytrees: the tuples, lists, dicts, namedtuples, dataclasses and registered classes of
values that transforms take and give.

``tree_flatten(x)`` gives the leaves and a ``TreeDef`` (the structure with the
leaves left out); ``tree_unflatten`` puts leaves back; ``tree_map`` applies a
function leaf by leaf. ``register_pytree_node(cls, flatten, unflatten)`` makes a
user class a container (JAX's hook, with JAX's signatures). Imports nothing from
dualgrad.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Callable, Iterable, Iterator

import numpy as _onp

# cls -> (flatten(obj) -> (children, aux), unflatten(aux, children) -> obj)
_REGISTRY: dict[type, tuple[Callable, Callable]] = {}


def register_pytree_node(cls: type, flatten_func: Callable[[Any], tuple[Iterable, Any]],
                         unflatten_func: Callable[[Any, Iterable], Any]) -> None:
    """Make instances of ``cls`` containers for every transform (JAX's hook).

    Parameters
    ----------
    cls : type
        The class; its instances (not its subclasses') become containers.
    flatten_func : callable
        ``flatten_func(obj) -> (children, aux_data)``: the values to differentiate,
        map or batch (each a leaf or a container itself), and whatever else rebuilds
        ``obj`` (hashable and comparable with ``==``; it is part of the structure).
    unflatten_func : callable
        ``unflatten_func(aux_data, children) -> obj``: ``obj`` rebuilt with new
        children (derivatives, tangents, batched values).

    Returns
    -------
    None

    Raises
    ------
    TypeError
        If ``cls`` is not a class, a flattener is not callable, or ``cls`` is a
        tuple, list or dict (already containers) or is registered already.

    Examples
    --------
    >>> import dualgrad.numpy as np
    >>> from dualgrad import grad, register_pytree_node
    >>> class Point:
    ...     def __init__(self, x, y):
    ...         self.x, self.y = x, y
    >>> register_pytree_node(Point, lambda p: ((p.x, p.y), None),
    ...                      lambda aux, ch: Point(*ch))
    >>> g = grad(lambda p: p.x * p.y ** 2)(Point(2.0, 3.0))
    >>> float(g.x), float(g.y)
    (9.0, 12.0)
    """
    if not isinstance(cls, type):
        raise TypeError(f"register_pytree_node: the first argument is the class, not {cls!r}.")
    if not (callable(flatten_func) and callable(unflatten_func)):
        raise TypeError("register_pytree_node(cls, flatten_func, unflatten_func): both "
                        "functions must be callable (flatten_func(obj) -> (children, aux), "
                        "unflatten_func(aux, children) -> obj).")
    if cls in _ATOMS:
        raise TypeError(f"register_pytree_node: {cls.__name__} values are leaves (arrays "
                        "and numbers), never containers.")
    if cls in (tuple, list, dict) or cls in _REGISTRY:
        raise TypeError(f"register_pytree_node: {cls.__name__} is a container already; "
                        "a class is registered once.")
    _REGISTRY[cls] = (flatten_func, unflatten_func)
    _TRACER_LEAVES.discard(cls)


def _is_dataclass_instance(x) -> bool:
    return dataclasses.is_dataclass(x) and not isinstance(x, type)


def _dataclass_fields(x) -> tuple[tuple, tuple]:
    """A dataclass's children are its fields (``field(metadata={"static": True})``
    makes one part of the structure instead, like JAX's ``meta_fields``)."""
    data, meta = [], []
    for f in dataclasses.fields(x):
        (meta if f.metadata.get("static") else data).append(f.name)
    return tuple(data), tuple((n, getattr(x, n)) for n in meta)


def _rebuild_dataclass(cls, names, static, children):
    # Not cls(**fields): __init__/__post_init__ may check or convert the values, which
    # here are tangents, cotangents or batched values; set the fields as they are.
    obj = object.__new__(cls)
    for n, v in zip(names, children):
        object.__setattr__(obj, n, v)
    for n, v in static:
        object.__setattr__(obj, n, v)
    return obj

from .tracer import Tracer, peek


class TreeDef:
    """The structure of a container, with leaves left out."""

    __slots__ = ("kind", "meta", "children")

    def __init__(self, kind, meta, children):
        self.kind, self.meta, self.children = kind, meta, children

    def __eq__(self, other):
        return (isinstance(other, TreeDef) and self.kind == other.kind
                and self.meta == other.meta and self.children == other.children)

    def __hash__(self):
        try:
            return hash((self.kind, self.meta, tuple(self.children)))
        except TypeError:  # a registered class's aux data or a static field unhashable
            return hash((self.kind, tuple(self.children)))

    def __repr__(self):
        if self.kind is None:
            return "*"
        if self.kind is dict:
            return "{" + ", ".join(f"{k!r}: {c}" for k, c in zip(self.meta, self.children)) + "}"
        inner = ", ".join(map(repr, self.children))
        if self.kind is list:
            return f"[{inner}]"
        if self.kind is tuple:
            return f"({inner})"
        return f"{self.kind.__name__}({inner})"


LEAF = TreeDef(None, None, ())

# Types that are always leaves (never containers, never registrable): checked first, so
# that flattening a lone array or number costs one set lookup.
# Tracer classes met by _flatten that are neither registered nor dataclasses: leaves
# unless they trace a tuple or list (register_pytree_node drops a class it registers).
_TRACER_LEAVES: set = set()
_ATOMS = frozenset((_onp.ndarray, float, int, complex, bool, type(None), str,
                    _onp.float64, _onp.float32, _onp.complex128, _onp.int64, _onp.bool_))


def is_container(x) -> bool:
    """A tuple, list, dict, namedtuple, dataclass instance or registered class."""
    return (type(x) in (tuple, list, dict) or (isinstance(x, tuple) and hasattr(x, "_fields"))
            or type(x) in _REGISTRY or _is_dataclass_instance(x))


def tree_flatten(x) -> tuple[list, TreeDef]:
    if x.__class__ in _ATOMS:  # a lone array or number: the common case, no walk
        return [x], LEAF
    leaves: list = []
    return leaves, _flatten(x, leaves)


def _flatten(x, leaves) -> TreeDef:
    cls = x.__class__
    if cls in _ATOMS or cls in _TRACER_LEAVES and not isinstance(peek(x), (tuple, list)):
        leaves.append(x)
        return LEAF
    if isinstance(x, dict):
        keys = tuple(x.keys())
        return TreeDef(dict, keys, tuple(_flatten(x[k], leaves) for k in keys))
    if type(x) in _REGISTRY:
        children, aux = _REGISTRY[type(x)][0](x)
        return TreeDef(type(x), ("registered", aux),
                       tuple(_flatten(c, leaves) for c in children))
    if _is_dataclass_instance(x):
        names, static = _dataclass_fields(x)
        return TreeDef(type(x), ("dataclass", names, static),
                       tuple(_flatten(getattr(x, n), leaves) for n in names))
    if is_container(x):
        return TreeDef(type(x), None, tuple(_flatten(c, leaves) for c in x))
    if isinstance(x, Tracer):
        _TRACER_LEAVES.add(cls)  # no container class: checked first from now on
        if isinstance(peek(x), (tuple, list)):
            # a traced tuple or list (autograd's SequenceBox): its elements, each traced
            kind = list if isinstance(peek(x), list) else tuple
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
    if td.meta is not None and td.meta[0] == "registered":
        return _REGISTRY[td.kind][1](td.meta[1], children)
    if td.meta is not None and td.meta[0] == "dataclass":
        return _rebuild_dataclass(td.kind, td.meta[1], td.meta[2], children)
    if hasattr(td.kind, "_fields"):
        return td.kind(*children)
    return td.kind(children)


def tree_children(x) -> list:
    """The children of a container, one level down, in ``tree_flatten``'s order (a
    dict's values in its key order); ``[]`` for a leaf."""
    if not is_container(x):
        return []
    flat, td = tree_flatten(x)
    it = iter(flat)
    return [_unflatten(c, it) for c in td.children]


def tree_map(f: Callable, tree, *rest):
    leaves, td = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return tree_unflatten(td, [f(*xs) for xs in zip(leaves, *others)])


__all__ = ["TreeDef", "LEAF", "tree_flatten", "tree_unflatten", "tree_map", "is_container",
           "register_pytree_node", "tree_children"]
