"""Vector spaces of values, and the containers (pytrees) that hold them.

A value dualgrad can differentiate with respect to is a leaf (a float, a
complex number, or a float/complex ndarray) or a tuple/list/dict of such
values, nested to any depth. ``vspace(x)`` gives the vector-space operations
the transforms and ``check_grads`` need: zeros, ones, add, scalar multiply,
inner product, standard basis, flatten/unflatten.

For complex spaces the inner product is the real one, Re(sum(conj(a) * b)),
so a complex entry counts as two real dimensions and the standard basis
contains the imaginary directions ``1j * e_k``.

A leaf may also be a duck array (``dualgrad.duck``: a Dask or CuPy array):
its space makes zeros and ones of the same kind (``zeros_like``, keeping a
Dask array's chunks) and its inner product stays a lazy 0-d array.
"""
from __future__ import annotations

from typing import Any, Callable, Iterator

import numpy as onp

from .core import Tracer, getval
from .duck import is_duck_array


# ---------------------------------------------------------------------------
# Pytrees
# ---------------------------------------------------------------------------
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


def _is_container(x) -> bool:
    return type(x) in (tuple, list, dict) or (isinstance(x, tuple) and hasattr(x, "_fields"))


def tree_flatten(x) -> tuple[list, TreeDef]:
    leaves: list = []
    return leaves, _flatten(x, leaves)


def _flatten(x, leaves) -> TreeDef:
    if isinstance(x, dict):
        keys = tuple(x.keys())
        return TreeDef(dict, keys, tuple(_flatten(x[k], leaves) for k in keys))
    if _is_container(x):
        return TreeDef(type(x), None, tuple(_flatten(c, leaves) for c in x))
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


# ---------------------------------------------------------------------------
# Vector spaces
# ---------------------------------------------------------------------------
class VSpace:
    """Operations on one kind of value. ``vspace(x)`` picks the right one."""

    size: int

    def zeros(self): ...
    def ones(self): ...
    def add(self, x, y): return tree_map(_add, x, y)
    def scalar_mul(self, x, a): return tree_map(lambda v: v * a, x)
    def inner_prod(self, x, y): ...
    def flatten(self, x) -> onp.ndarray: ...
    def unflatten(self, v): ...
    def randn(self, rng=None): ...

    def mut_add(self, x, y):
        """autograd's name for ``add`` (we never mutate)."""
        return self.add(x, y)

    def covector(self, x):
        """The value whose bilinear pairing Re(sum(c*y)) equals <x, y>."""
        return tree_map(_conj_if_complex, x)

    def standard_basis(self):
        """Unit vectors of the real space: e_k, then 1j*e_k for complex entries."""
        eye = onp.eye(self.size)
        for row in eye:
            yield self.unflatten(row)

    def __eq__(self, other):
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __contains__(self, x):
        try:
            return vspace(x) == self
        except TypeError:
            return False


def _add(x, y):
    return x + y


def _conj_if_complex(x):
    return onp.conj(x) if onp.iscomplexobj(getval(x)) else x


class ArrayVSpace(VSpace):
    """Real or complex arrays (and Python/numpy scalars) of one shape and dtype."""

    def __init__(self, value):
        v = getval(value)
        # A duck array (dask, cupy) is kept as the prototype of zeros and ones.
        self.like = v if not isinstance(v, onp.ndarray) and is_duck_array(v) else None
        self.shape = onp.shape(v) if self.like is None else tuple(v.shape)
        self.dtype = onp.result_type(v) if self.like is None else v.dtype
        # (a batched value's placeholder, dualgrad.batching._ShapeOnly, stands for an array)
        self.scalar = self.like is None and not isinstance(v, onp.ndarray) and not _shape_only(v)
        self.iscomplex = self.dtype.kind == "c"
        self.size = int(onp.prod(self.shape, dtype=int)) * (2 if self.iscomplex else 1)

    def _wrap(self, a):
        return a[()] if self.scalar else a

    def zeros(self):
        if self.like is not None:
            return onp.zeros_like(self.like)
        return self._wrap(onp.zeros(self.shape, self.dtype))

    def ones(self):
        if self.like is not None:
            return onp.ones_like(self.like)
        return self._wrap(onp.ones(self.shape, self.dtype))

    def inner_prod(self, x, y):
        if isinstance(x, Tracer) or isinstance(y, Tracer):  # differentiable (autograd's)
            from . import numpy as dnp
            return dnp.real(dnp.vdot(dnp.ravel(x), dnp.ravel(y)))
        x, y = onp.ravel(getval(x)), onp.ravel(getval(y))
        out = onp.real(onp.vdot(x, y))
        return out if is_duck_array(out) else float(out)  # a duck array stays lazy

    def __eq__(self, other):
        # Not by __dict__: comparing two dask prototypes with == would compute them.
        return (isinstance(other, ArrayVSpace) and self.shape == other.shape
                and self.dtype == other.dtype and self.scalar == other.scalar)

    __hash__ = None

    def flatten(self, x):
        x = onp.ravel(getval(x))
        return onp.concatenate([x.real, x.imag]) if self.iscomplex else x.astype(float)

    def unflatten(self, v):
        v = v if is_duck_array(v) else onp.asarray(v)
        if self.iscomplex:
            n = self.size // 2
            v = v[:n] + 1j * v[n:]
        return self._wrap(v.reshape(self.shape).astype(self.dtype))

    def randn(self, rng=None):
        rng = rng or onp.random
        return self.unflatten(rng.standard_normal(self.size))

    def __repr__(self):
        return f"ArrayVSpace(shape={self.shape}, dtype={self.dtype})"


class ContainerVSpace(VSpace):
    """A tuple/list/dict of values, each with its own space."""

    def __init__(self, value):
        leaves, self.treedef = tree_flatten(value)
        self.spaces = [ArrayVSpace(l) for l in leaves]
        self.sizes = [s.size for s in self.spaces]
        self.size = sum(self.sizes)

    def __eq__(self, other):
        return (isinstance(other, ContainerVSpace) and self.treedef == other.treedef
                and all(a == b for a, b in zip(self.spaces, other.spaces)))

    def _build(self, leaves):
        return tree_unflatten(self.treedef, leaves)

    def zeros(self):
        return self._build([s.zeros() for s in self.spaces])

    def ones(self):
        return self._build([s.ones() for s in self.spaces])

    def inner_prod(self, x, y):
        xs, ys = tree_flatten(x)[0], tree_flatten(y)[0]
        return sum(s.inner_prod(a, b) for s, a, b in zip(self.spaces, xs, ys))

    def flatten(self, x):
        xs = tree_flatten(x)[0]
        parts = [s.flatten(a) for s, a in zip(self.spaces, xs)]
        return onp.concatenate(parts) if parts else onp.zeros(0)

    def unflatten(self, v):
        out, k = [], 0
        for s, n in zip(self.spaces, self.sizes):
            out.append(s.unflatten(v[k:k + n]))
            k += n
        return self._build(out)

    def randn(self, rng=None):
        return self._build([s.randn(rng) for s in self.spaces])

    def __repr__(self):
        return f"ContainerVSpace({self.treedef})"


def vspace(value) -> VSpace:
    """The vector space ``value`` lives in.

    >>> vspace((1.0, {'w': [0.0, 1.0j]})).size
    4
    """
    if _is_container(value):
        return ContainerVSpace(value)
    v = getval(value)
    kind = onp.result_type(v).kind if _is_number(v) else None
    if kind not in ("f", "c", "i", "u", "b"):
        raise TypeError(f"dualgrad cannot treat a value of type {type(v).__name__} as a "
                        "vector: use floats, complex numbers, numpy arrays, or "
                        "tuples/lists/dicts of them.")
    return ArrayVSpace(v)


def _is_number(v) -> bool:
    return (isinstance(v, (int, float, complex, onp.ndarray, onp.generic)) or is_duck_array(v)
            or _shape_only(v))


def _shape_only(v) -> bool:
    return getattr(type(v), "_dualgrad_shape_only", False)


__all__ = ["vspace", "VSpace", "ArrayVSpace", "ContainerVSpace", "tree_flatten",
           "tree_unflatten", "tree_map", "TreeDef", "Tracer"]
