"""Views of traced (and pending) arrays, as numpy's: what ``x[0]``, ``x[1:, ::2]``,
``x.T``, ``x.reshape(...)``, ``x.ravel()``, ``x.real`` and ``x.imag`` give, whenever
numpy gives a view (basic indexing always; reshape and ravel when numpy needs no
copy, read off the plain values' memory).

A view is a tracer like any other, which also remembers its base and the map ``L``
that made it (a ``Link``). A write through the view, ``v[i] = y`` or ``v += y``,
first rebinds ``v`` (copy-on-write, ``Tracer._write``), then its base through the
transpose of ``L``:

    base' = put(base, v')     the entries of base that v shows, replaced by v'

(``index_update`` for an index, the inverse permutation for a transpose, reshape
back, ``set_real``/``set_imag``), then the base's base, and so on; then every live
view of the arrays written is read again, ``v2 = L2(base')``, so views taken before
a write see it. Every step is a primitive, so derivatives follow in every mode.

The functions written with these primitives inherit the views numpy gives:
``squeeze``, ``expand_dims``, ``atleast_*d`` (reshape), ``swapaxes``, ``moveaxis``
(transpose), ``flip`` (a basic index).
"""
from __future__ import annotations

import weakref

import numpy as onp

from ..core import Tracer, peek
from ..interpreters.batching import Batched
from ..interpreters.pending import Pending
from . import complex as cx, shape as shp
from .construction import _basic, index_update


class Link:
    """``view = prim(base, *rest, **kwargs)``, kept to read the view again (``get``) and
    to write it back (``put``)."""

    __slots__ = ("base", "prim", "rest", "kwargs")

    def __init__(self, base, prim, rest, kwargs):
        self.base, self.prim, self.rest, self.kwargs = base, prim, rest, kwargs

    def get(self):
        """The view read again from its base (the view object keeps its own link)."""
        return _PLAIN_CALL(self.prim, self.base, *self.rest, **self.kwargs)

    def put(self, view):
        """The base with the entries this view shows replaced by ``view``'s."""
        return _PUTS[self.prim](self.base, view, *self.rest, **self.kwargs)


_PLAIN_CALL = shp.Primitive.__call__  # the primitive without making a view


def _put_index(base, view, idx):
    return index_update(base, view, idx)


def _put_transpose(base, view, axes=None):
    return shp.transpose(view, None if axes is None else tuple(onp.argsort(axes)))


def _put_reshape(base, view, shape, order="C"):
    return shp.reshape(view, shape=onp.shape(peek(base)), order=order)


def _put_real(base, view):
    if not cx.is_complex(base):  # a real array's .real is the array itself
        return view
    return cx.set_real(base, view)


def _put_imag(base, view):
    if not cx.is_complex(base):
        raise ValueError("x.imag[...] = y: x is a real array, whose .imag numpy gives as a "
                         "new read-only array of zeros (assignment destination is read-only). "
                         "Make x complex first (x = x + 0j).")
    return cx.set_imag(base, view)


_PUTS = {shp.getitem: _put_index, shp.transpose: _put_transpose, shp.reshape: _put_reshape,
         cx.real: _put_real, cx.imag: _put_imag}


def _plain(t):
    """The plain value under ``t`` (a batched value's stacked examples)."""
    while isinstance(t, Tracer):  # (a jit trace's value: its metadata, no guard)
        t = t.val if isinstance(t, Batched) else t._peek if t._quiet else t.value
    return t


def _is_view(prim, base, out, rest) -> bool:
    """Whether numpy gives ``prim(base, *rest)`` as a view of ``base``."""
    po = _plain(out)
    if type(po) is onp.ndarray:
        pb = _plain(base)
        if type(pb) is onp.ndarray:  # advanced indexing and a strided reshape copy
            return onp.may_share_memory(po, pb) or (prim is cx.imag and not cx.is_complex(pb))
    elif isinstance(po, _SCALARS):
        return False  # an entry a[i, j]: numpy gives a scalar
    # no memory to read (a duck array)
    if prim is shp.getitem:
        if not _basic(rest[0]):
            return False
        idx = rest[0] if isinstance(rest[0], tuple) else (rest[0],)
        return not (len(idx) == len(onp.shape(peek(base))) and
                    all(isinstance(i, (int, onp.integer)) for i in idx))
    return True


_SCALARS = (onp.generic, float, complex, int)


def _link(view: Tracer, link: Link) -> Tracer:
    view._view = link
    base = link.base
    try:
        base._views.append(weakref.ref(view))
    except AttributeError:
        base._views = [weakref.ref(view)]
    return view


def view_of(prim):
    """``ViewPrimitive.view_of`` for ``prim``: its answer ``out`` on ``base``, made a
    view of ``base`` when numpy's would be one."""
    def make(base, out, rest, kwargs):
        if isinstance(base, Pending):  # a plain array out: a pending array too
            if type(out) is not onp.ndarray or out.dtype.kind not in "fcO":
                return out
            out = base._like(out)
            if not onp.may_share_memory(out.value, base.value):
                return out
        elif type(out) is not type(base) or out._level is not base._level or \
                not _is_view(prim, base, out, rest):
            return out
        return _link(out, Link(base, prim, rest, kwargs))
    make.__name__ = f"{prim.name}_view_of"
    return make


for _prim in _PUTS:
    _prim.view_of = view_of(_prim)

__all__: list = []
