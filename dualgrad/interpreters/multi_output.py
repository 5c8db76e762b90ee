"""Primitives whose answer is a container: a tuple, list or dict of values.

A user primitive may return several values at once,
``primitive(lambda x: (sin(x), cos(x)))``. Its rules then speak of the whole
container, as in autograd: a JVP returns a container of tangents (a part
given as ``None`` is zero), and a VJP receives a container ``g`` of
cotangents, with zeros in the parts the output's consumers did not use.

To the user the answer is a container of ordinary tracers, one per
differentiable leaf (integer leaves stay plain):

- forward: each leaf is a ``Dual`` holding its part of the summed tangent;
- reverse: one tape node records the primitive with the whole container as
  its answer; each leaf is then taken from it by ``output_item``, whose VJP
  puts the leaf's cotangent in its slot and zeros elsewhere. The slots of a
  container cotangent add slot by slot (``_TupleCt`` and friends), so the
  backward pass sums the parts arriving from different leaves unchanged.

Batching needs nothing here: the loop over examples stacks each part.
"""
from __future__ import annotations

from ..core import Primitive, is_container, is_differentiable, tree_flatten, tree_unflatten, vspace


def is_container_answer(ans) -> bool:
    """True when ``ans`` is a container with at least one differentiable leaf."""
    return is_container(ans) and any(is_differentiable(v) for v in tree_flatten(ans)[0])


def parts(t, treedef, n: int, prim) -> list:
    """The leaves of a container tangent (None: a zero part)."""
    if t is None:
        return [None] * n
    leaves, td = tree_flatten(t)
    if len(leaves) != n:
        raise ValueError(f"The JVP of '{prim.name}' returned {td}, but the primitive's answer "
                         f"is {treedef}: return one tangent per part of the answer (None for "
                         "a zero part).")
    return leaves


def split(whole) -> object:
    """The answer's container with each differentiable leaf read from the reverse-mode
    tracer ``whole`` (whose value is the container) by ``output_item``."""
    leaves, td = tree_flatten(whole.value)
    return tree_unflatten(td, [output_item(whole, index=k, treedef=td)
                               if is_differentiable(v) else v for k, v in enumerate(leaves)])


def _item(container, index, treedef):
    return tree_flatten(container)[0][index]


# y = leaf `index` of the container c.   JVP: t's leaf `index`.
#   VJP: c̄ = the container with g in slot `index` and zeros in every other slot.
output_item = Primitive(_item, "output_item")
output_item.def_jvp(lambda t, ans, c, index, treedef: tree_flatten(t)[0][index])


@output_item.def_vjp
def _item_vjp(g, ans, c, index, treedef):
    leaves = tree_flatten(c)[0]
    parts = [g if k == index else vspace(v).zeros() for k, v in enumerate(leaves)]
    return _summable(tree_unflatten(treedef, parts))


class _TupleCt(tuple):
    """A tuple cotangent: ``+`` adds slot by slot (not concatenation)."""
    __slots__ = ()

    def __add__(self, other):
        return _TupleCt(a + b for a, b in zip(self, other))


class _ListCt(list):
    """A list cotangent: ``+`` adds slot by slot."""
    __slots__ = ()

    def __add__(self, other):
        return _ListCt(a + b for a, b in zip(self, other))


class _DictCt(dict):
    """A dict cotangent: ``+`` adds key by key."""
    __slots__ = ()

    def __add__(self, other):
        return _DictCt((k, v + other[k]) for k, v in self.items())


class _TreeCt:
    """A cotangent of any other container (a namedtuple, dataclass or registered
    class, which need not define ``+``): its leaves, added leaf by leaf."""
    __slots__ = ("treedef", "leaves")

    def __init__(self, treedef, leaves):
        self.treedef, self.leaves = treedef, leaves

    def __add__(self, other):
        return _TreeCt(self.treedef, [a + b for a, b in zip(self.leaves, other.leaves)])


def plain(c):
    """``c`` with the slot-adding containers made plain tuples, lists, dicts (and the
    user's classes) again: what a user's rule is given (code dispatching on
    ``type(g)`` must see Python's)."""
    if type(c) is _TreeCt:
        return tree_unflatten(c.treedef, [plain(v) for v in c.leaves])
    if type(c) in (_TupleCt, _ListCt, _DictCt):
        base = type(c).__mro__[1]
        return base((k, plain(v)) for k, v in c.items()) if base is dict else base(
            plain(v) for v in c)
    return c


def _summable(c):
    if type(c) is dict:
        return _DictCt((k, _summable(v)) for k, v in c.items())
    if type(c) is list:
        return _ListCt(_summable(v) for v in c)
    if type(c) is tuple:
        return _TupleCt(_summable(v) for v in c)
    if is_container(c):  # a namedtuple, dataclass or registered class: kept, to rebuild
        leaves, td = tree_flatten(c)
        return _TreeCt(td, leaves)
    return c
