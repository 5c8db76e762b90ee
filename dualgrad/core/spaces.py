"""Vector spaces of values, and the containers (pytrees) that hold them.

A value dualgrad can differentiate with respect to is a leaf (a float, a
complex number, or a float/complex ndarray) or a tuple/list/dict of such
values, nested to any depth. ``vspace(x)`` gives the vector-space operations
the transforms and ``check_grads`` need: zeros, ones, add, scalar multiply,
inner product, standard basis, flatten/unflatten.

For complex spaces the inner product is the real one, Re(sum(conj(a) * b)),
so a complex entry counts as two real dimensions and the standard basis
contains the imaginary directions ``1j * e_k``.

A leaf may also be a duck array (``dualgrad.core.duck``: a Dask or CuPy array):
its space makes zeros and ones of the same kind (``zeros_like``, keeping a
Dask array's chunks) and its inner product stays a lazy 0-d array.
"""
from __future__ import annotations

from typing import Callable

import numpy as onp

from .duck import is_duck_array
from .mp import is_mp, make_mp_vspace, mp_is_complex
from .tracer import Tracer, getval, peek
from .trees import LEAF, TreeDef, is_container, tree_flatten, tree_map, tree_unflatten


# ---------------------------------------------------------------------------
# Vector spaces
# ---------------------------------------------------------------------------
class VSpace:
    """Operations on one kind of value. ``vspace(x)`` picks the right one.

    autograd's protocol for user spaces holds: a subclass may define ``_add``,
    ``_mut_add``, ``_scalar_mul``, ``_inner_prod`` and ``_covector`` (the public
    methods call them), and ``VSpace.register(value_type, maker)`` (or
    ``MySpace.register(value_type)``) makes ``vspace`` use it for that type."""

    size: int
    # autograd's VSpace.mappings: value type -> vspace maker, consulted first by vspace()
    mappings: dict = {}
    iscomplex = False

    def zeros(self): ...
    def ones(self): ...
    def add(self, x, y): return self._add(x, y)
    def scalar_mul(self, x, a): return self._scalar_mul(x, a)
    def inner_prod(self, x, y): return self._inner_prod(x, y)
    def flatten(self, x) -> onp.ndarray: ...
    def unflatten(self, v): ...
    def randn(self, rng=None): ...

    def _add(self, x, y): return tree_map(_add, x, y)
    def _scalar_mul(self, x, a): return tree_map(lambda v: v * a, x)
    def _covector(self, x): return tree_map(_conj_if_complex, x)
    def _mut_add(self, x, y): return self._add(x, y)  # dualgrad never mutates

    def _inner_prod(self, x, y):
        raise NotImplementedError(f"{type(self).__name__} defines no inner product "
                                  "(_inner_prod).")

    def mut_add(self, x, y):
        """autograd's accumulating add (``x`` None: zero); dualgrad never mutates."""
        return y if x is None else self._mut_add(x, y)

    def covector(self, x):
        """The value whose bilinear pairing Re(sum(c*y)) equals <x, y>."""
        return self._covector(x)

    @classmethod
    def register(cls, value_type: type, vspace_maker: Callable | None = None) -> None:
        """autograd's registration: ``vspace(v)`` of a ``value_type`` value is
        ``vspace_maker(v)`` (default: this class)."""
        VSpace.mappings[value_type] = vspace_maker or cls

    def standard_basis(self):
        """Unit vectors of the real space: e_k, then 1j*e_k for complex entries."""
        eye = onp.eye(self.size)
        for row in eye:
            yield self.unflatten(row)

    def __eq__(self, other):
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __repr__(self):  # autograd's
        return f"{type(self).__name__}_{self.__dict__}"

    def __contains__(self, x):
        try:
            return vspace(x) == self
        except TypeError:
            return False


def _add(x, y):
    return x + y


def _conj_if_complex(x):
    v = peek(x)
    if getattr(v, "dtype", None) == object:  # mpmath numbers: complex when they hold an mpc
        if not mp_is_complex(getval(x)):
            return x
    elif not onp.iscomplexobj(v):
        return x
    return x.conj() if isinstance(x, Tracer) else onp.conj(x)  # (a tracer's own conj: NEP 13 free)


class ArrayVSpace(VSpace):
    """Real or complex arrays (and Python/numpy scalars) of one shape and dtype."""

    def __init__(self, value):
        v = peek(value)  # shape and dtype only
        # A duck array (dask, cupy) is kept as the prototype of zeros and ones.
        self.like = v if not isinstance(v, onp.ndarray) and is_duck_array(v) else None
        self.shape = onp.shape(v) if self.like is None else tuple(v.shape)
        self.dtype = onp.result_type(v) if self.like is None else v.dtype
        # (a batched value's placeholder, dualgrad.interpreters.batching._ShapeOnly, stands for an array)
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
        if isinstance(x, Tracer) or isinstance(y, Tracer):  # differentiable (autograd's):
            return onp.real(onp.vdot(onp.ravel(x), onp.ravel(y)))  # NEP 18 runs our rules
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


MPVSpace = make_mp_vspace(VSpace)


class ContainerVSpace(VSpace):
    """A tuple/list/dict of values, each with its own space."""

    def __init__(self, value):
        leaves, self.treedef = tree_flatten(value)
        self.spaces = [MPVSpace(l) if is_mp(l) else ArrayVSpace(l) for l in leaves]
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
    if VSpace.mappings:  # a registered type (of the value, or of the value under a tracer)
        maker = VSpace.mappings.get(type(value))
        if maker is None and isinstance(value, Tracer):
            value = peek(value)  # its type: no guard under jit
            maker = VSpace.mappings.get(type(value))
        if maker is not None:
            return maker(value)
    if is_container(value):
        return ContainerVSpace(value)
    v = peek(value)  # its shape and dtype: no guard under jit
    kind = onp.result_type(v).kind if _is_number(v) else None
    if kind not in ("f", "c", "i", "u", "b"):
        if is_mp(v):  # mpmath numbers (dualgrad.core.mp)
            return MPVSpace(v)
        raise TypeError(f"dualgrad cannot treat a value of type {type(v).__name__} as a "
                        "vector: use floats, complex numbers, numpy arrays, or "
                        "tuples/lists/dicts of them.")
    return ArrayVSpace(v)


def _is_number(v) -> bool:
    return (isinstance(v, (int, float, complex, onp.ndarray, onp.generic)) or is_duck_array(v)
            or _shape_only(v))


def _shape_only(v) -> bool:
    return getattr(type(v), "_dualgrad_shape_only", False)


# ---------------------------------------------------------------------------
# The dtype promise
# ---------------------------------------------------------------------------
_WIDE = (onp.dtype(onp.float64), onp.dtype(onp.complex128))


def in_dtype_of(d, x):
    """A plain derivative ``d`` in the float32/float16/complex64 dtype of ``x``: the
    dtype promise (low-precision inputs get low-precision derivatives) kept at the
    boundary, whatever float64 constant a rule multiplied in on the way."""
    xd = getattr(x, "dtype", None)
    if xd is None or xd in _WIDE or not isinstance(x, (onp.ndarray, onp.generic, Tracer)):
        return d
    if isinstance(d, Tracer):  # batched (jacfwd, vmap) or nested: the astype primitive
        if d.dtype == xd or d.dtype.kind != xd.kind:
            return d
        return d.astype(xd)  # the astype primitive (a tracer method)
    dd = getattr(d, "dtype", None)
    if (dd is None or dd == xd or dd.kind != xd.kind
            or not isinstance(d, (onp.ndarray, onp.generic))):
        return d
    return d.astype(xd)


__all__ = ["vspace", "VSpace", "ArrayVSpace", "ContainerVSpace", "tree_flatten",
           "tree_unflatten", "tree_map", "TreeDef", "LEAF", "is_container",
           "in_dtype_of"]
