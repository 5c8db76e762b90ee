"""Traced tuples and lists: autograd's ``SequenceBox``.

A tuple or list holding tracers is an ordinary container in dualgrad, and every
transform and ``dualgrad.numpy`` function reads through it. autograd code also makes
*traced sequences* (``autograd.builtins.tuple(xs)``, ``new_box`` of a list) and hands
one to a primitive of its own as one argument, whose VJP then returns one cotangent
for the whole sequence (PennyLane's quantum-execution primitive takes its parameters
so). Here:

- ``make_sequence(seq_type, *xs)`` is the primitive that builds one: its value is a
  ``TracedTuple`` or ``TracedList`` (a tuple or list), and the tracer of that value
  wears the face ``SequenceBox`` (``len``, indexing and iteration through
  ``container_take``), registered in ``BOX_TYPES``;
- ``container_take(seq, i)``: ``seq[i]`` (an int or a slice);
- cotangents and tangents of a sequence are ``SequenceCotangent`` tuples, which add
  elementwise (``None`` entries are zeros), never by concatenation.

    VJP of make_sequence for x_i:  g[i]        JVP: (t_1, ..., t_n)
    VJP of container_take:  g in position i, zeros elsewhere     JVP: t[i]
"""
from __future__ import annotations

from ..core import ALL, ANY, Primitive, VSpace, vspace
from ..core.tracer import BOX_TYPES


class TracedTuple(tuple):
    """The value of a traced tuple (a tuple)."""


class TracedList(list):
    """The value of a traced list (a list)."""


SEQUENCE_VALUES = (TracedTuple, TracedList)


class SequenceCotangent(tuple):
    """The cotangent (or tangent) of a traced sequence: one entry per element, None for
    zero; ``+`` adds elementwise."""

    def __add__(self, other):
        if other is None:
            return self
        if len(other) != len(self):
            raise ValueError(f"cotangents of sequences of lengths {len(self)} and "
                             f"{len(other)} cannot be added")
        return SequenceCotangent(_add(a, b) for a, b in zip(self, other))

    __radd__ = __add__


def _add(a, b):
    return b if a is None else a if b is None else a + b


def as_cotangent(g, value):
    """``g`` (a tuple or list a rule returned for the sequence ``value``) as a
    ``SequenceCotangent``, nested sequences too."""
    if isinstance(value, SEQUENCE_VALUES) and isinstance(g, (tuple, list)):
        return SequenceCotangent(as_cotangent(gi, vi) for gi, vi in zip(g, value))
    return g


def zeros_like_value(v):
    """The zero cotangent of an element (None for a value with no vector space)."""
    if isinstance(v, (tuple, list)):
        return SequenceCotangent(zeros_like_value(e) for e in v)
    try:
        return vspace(v).zeros()
    except TypeError:
        return None


def dense(g, value):
    """A sequence cotangent with its None entries (zeros) filled in, as a plain
    tuple or list shaped like ``value``."""
    if isinstance(value, (tuple, list)):
        g = g if g is not None else [None] * len(value)
        out = [dense(gi, vi) for gi, vi in zip(g, value)]
        return list(out) if isinstance(value, list) else tuple(out)
    return zeros_like_value(value) if g is None else g


def _make_sequence(seq_type, *xs):
    return TracedList(xs) if issubclass(seq_type, list) else TracedTuple(xs)


make_sequence = Primitive(_make_sequence, "make_sequence")
make_sequence.array_likes = False  # its elements are taken as they are


def _make_sequence_vjp(argnum, g, ans, seq_type, *xs):
    gi = g[argnum - 1]
    return zeros_like_value(xs[argnum - 1]) if gi is None else gi


def _make_sequence_jvp(tangents, ans, seq_type, *xs):
    return SequenceCotangent(tangents[1:])


make_sequence.def_vjp(_make_sequence_vjp, argnum=ANY)
make_sequence.jvps[ALL] = _make_sequence_jvp


def _take(seq, idx):
    out = seq[idx]
    if isinstance(idx, slice):  # a slice of a traced sequence is traced as one
        return type(seq)(out)
    return out


container_take = Primitive(_take, "container_take")
container_take.array_likes = False


def _take_vjp(g, ans, seq, idx):
    out = [None] * len(seq)
    if isinstance(idx, slice):
        for k, j in enumerate(range(*idx.indices(len(seq)))):
            out[j] = g[k]
    else:
        out[idx] = g
    return SequenceCotangent(out)


def _take_jvp(t, ans, seq, idx):
    return SequenceCotangent(t[idx]) if isinstance(idx, slice) else t[idx]


container_take.def_vjp(_take_vjp)
container_take.def_jvp(_take_jvp)


class SequenceBox:
    """The face of a traced tuple or list (autograd's ``SequenceBox``): ``len``,
    indexing and iteration trace through ``container_take``; ``+`` concatenates."""

    _dualgrad_face = True

    def __len__(self):
        return len(self.value)

    def __getitem__(self, idx):
        return container_take(self, idx)

    def __iter__(self):
        return (container_take(self, i) for i in range(len(self.value)))

    def __bool__(self):
        return len(self.value) > 0

    def __add__(self, other):
        return make_sequence(type(self.value), *self, *other)

    def __radd__(self, other):
        return make_sequence(type(self.value), *other, *self)


for _t in SEQUENCE_VALUES:
    BOX_TYPES[_t] = SequenceBox
    VSpace.mappings[_t] = lambda v: vspace(list(v) if isinstance(v, list) else tuple(v))
